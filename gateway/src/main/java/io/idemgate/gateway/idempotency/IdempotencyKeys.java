package io.idemgate.gateway.idempotency;

import java.util.List;

/**
 * Reads the idempotency key from the request header or from the JSON body. Every accepted key is
 * non-empty, at most {@code maxLength} characters, and visible ASCII (0x21–0x7E) only, as the contract
 * says — so a space inside an sf-string ({@code "a b"}), legal in RFC 8941, is refused too.
 * Stateless and thread-safe.
 */
public final class IdempotencyKeys {

    private static final KeyResult MISSING = new KeyResult.Missing();

    private IdempotencyKeys() {
    }

    /**
     * @param values every occurrence of the key header in the request, in order (possibly empty)
     */
    public static KeyResult fromHeaderValues(List<String> values, KeyPolicy policy) {
        String what = policy.header() + " header";
        if (values == null || values.isEmpty()) {
            return MISSING;
        }
        if (values.size() > 1) {
            return invalid(what + " is sent more than once");
        }
        String value = trimOws(values.get(0));
        if (value.isEmpty()) {
            return invalid(what + " is empty");
        }
        if (value.charAt(0) == '"') {
            String unquoted = unquoteSfString(value);
            return unquoted == null
                    ? invalid(what + " is not a valid sf-string (RFC 8941)")
                    : check(unquoted, what, policy);
        }
        if (policy.strict()) {
            return invalid(what + " must be an sf-string like \"key\"");
        }
        return check(value, what, policy);
    }

    /**
     * The key at {@code jsonPointer} in a JSON body: a string, or a number as written. An empty body has no
     * key (Missing); a body that is not JSON, or a value of another type, is Invalid.
     *
     * @throws IllegalArgumentException when {@code jsonPointer} is malformed (a config error)
     */
    public static KeyResult fromJsonBody(byte[] body, String jsonPointer, KeyPolicy policy) {
        JsonPointer pointer = JsonPointer.parse(jsonPointer);
        if (body == null || body.length == 0) {
            return MISSING;
        }
        Object root;
        try {
            root = JsonTree.parse(body);
        } catch (InvalidJsonException e) {
            return invalid("request body " + e.getMessage());
        }
        Object value = JsonTree.find(root, pointer);
        String what = "key at " + pointer;
        if (value == JsonTree.ABSENT) {
            return MISSING;
        }
        if (value instanceof String string) {
            return check(string, what, policy);
        }
        if (value instanceof JsonTree.Number number) {
            return check(number.text(), what, policy);
        }
        return invalid(what + " must be a JSON string or number");
    }

    private static KeyResult check(String key, String what, KeyPolicy policy) {
        if (key.isEmpty()) {
            return invalid(what + " is empty");
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < 0x21 || c > 0x7E) {
                return invalid(what + " must contain visible ASCII characters only");
            }
        }
        if (key.length() > policy.maxLength()) {
            return invalid(what + " is longer than " + policy.maxLength() + " characters");
        }
        return new KeyResult.Present(key);
    }

    /** RFC 8941 §3.3.3: printable ASCII between quotes; only {@code \"} and {@code \\} escapes. Null if malformed. */
    private static String unquoteSfString(String value) {
        StringBuilder key = new StringBuilder(value.length());
        for (int i = 1; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"') {
                return i == value.length() - 1 ? key.toString() : null;
            }
            if (c < 0x20 || c > 0x7E) {
                return null;
            }
            if (c == '\\') {
                char escaped = ++i < value.length() ? value.charAt(i) : 0;
                if (escaped != '"' && escaped != '\\') {
                    return null;
                }
                c = escaped;
            }
            key.append(c);
        }
        return null;
    }

    /** Strips optional whitespace (SP, HTAB) around a field value, RFC 9110 §5.6.3. */
    private static String trimOws(String value) {
        int start = 0;
        int end = value.length();
        while (start < end && isOws(value.charAt(start))) {
            start++;
        }
        while (end > start && isOws(value.charAt(end - 1))) {
            end--;
        }
        return value.substring(start, end);
    }

    private static boolean isOws(char c) {
        return c == ' ' || c == '\t';
    }

    private static KeyResult invalid(String reason) {
        return new KeyResult.Invalid(reason);
    }
}
