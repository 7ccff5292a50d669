package io.idemgate.gateway.idempotency;

import java.util.ArrayList;
import java.util.List;

/**
 * An RFC 6901 JSON pointer, parsed once (from config) into its reference tokens: {@code ~1} stands for
 * {@code /} and {@code ~0} for {@code ~}; any other {@code ~} is rejected. The empty pointer is the
 * whole document.
 */
public record JsonPointer(List<String> tokens) {

    public JsonPointer {
        tokens = List.copyOf(tokens);
    }

    /** @throws IllegalArgumentException if {@code text} is not an RFC 6901 pointer */
    public static JsonPointer parse(String text) {
        if (text.isEmpty()) {
            return new JsonPointer(List.of());
        }
        if (text.charAt(0) != '/') {
            throw new IllegalArgumentException("a JSON pointer starts with '/': " + text);
        }
        List<String> tokens = new ArrayList<>();
        StringBuilder token = new StringBuilder();
        for (int i = 1; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '/') {
                tokens.add(token.toString());
                token.setLength(0);
            } else if (c == '~') {
                char next = i + 1 < text.length() ? text.charAt(i + 1) : 0;
                if (next != '0' && next != '1') {
                    throw new IllegalArgumentException("'~' must be followed by 0 or 1 in JSON pointer: " + text);
                }
                token.append(next == '0' ? '~' : '/');
                i++;
            } else {
                token.append(c);
            }
        }
        tokens.add(token.toString());
        return new JsonPointer(tokens);
    }

    public boolean isRoot() {
        return tokens.isEmpty();
    }

    /** The token as an array index, or -1 when it is not one ("0", or digits without a leading zero). */
    static int arrayIndex(String token) {
        if (token.isEmpty() || token.length() > 9 || (token.charAt(0) == '0' && token.length() > 1)) {
            return -1;
        }
        for (int i = 0; i < token.length(); i++) {
            if (token.charAt(i) < '0' || token.charAt(i) > '9') {
                return -1;
            }
        }
        return Integer.parseInt(token);
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder();
        for (String token : tokens) {
            text.append('/').append(token.replace("~", "~0").replace("/", "~1"));
        }
        return text.toString();
    }
}
