package io.idemgate.gateway.idempotency;

import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The first release's canonical JSON (tree based, slow), kept unchanged as the oracle that the streaming
 * {@link CanonicalJson} must equal byte for byte: fingerprints stored by running gateways depend on it.
 * It reads through the main tree's {@link JsonTree} (still used for JSON-pointer keys); should that ever
 * change, {@code FingerprintGoldenTest}'s pinned fingerprints keep this oracle honest.
 *
 * <p>One byte form for every JSON text that means the same, so a retry whose client re-serialised the
 * payload still matches its fingerprint:
 * <ul>
 *   <li>no insignificant whitespace;</li>
 *   <li>object keys sorted by UTF-16 code units ({@link String#compareTo}, as RFC 8785 does); a duplicate
 *       key keeps its last value;</li>
 *   <li>strings in UTF-8 with only {@code \"}, {@code \\} and control characters escaped ({@code \b \f \n
 *       \r \t}, else <code>&#92;u00xx</code>); an unpaired surrogate stays a <code>&#92;udxxx</code> escape so it cannot
 *       collide with {@code ?} — so <code>"&#92;u00e9"</code> equals {@code "é"} and {@code "\/"} equals {@code "/"};</li>
 *   <li>numbers by value: {@link BigDecimal#stripTrailingZeros()}, zero (also {@code -0}) as {@code 0}, so
 *       {@code 1}, {@code 1.0}, {@code 1e0} and {@code 10E-1} are one number. Exact, unlike RFC 8785's
 *       doubles, so two different large amounts never collide.</li>
 * </ul>
 * Written here rather than by Jackson's generator because fingerprints outlive a deployment in the
 * store: a library upgrade that changed escaping would turn every in-flight retry into a 422.
 *
 * <p>Stateless and thread-safe.
 */
final class ReferenceCanonicalJson {

    private ReferenceCanonicalJson() {
    }

    /**
     * @param ignorePointers RFC 6901 pointers of values to drop (an object member or an array element)
     * @throws InvalidJsonException when {@code json} is not one JSON value, nests deeper than
     *                              {@value JsonTree#MAX_DEPTH} levels, or holds a number beyond range
     * @throws IllegalArgumentException when a pointer is malformed or is the root
     */
    static byte[] canonicalize(byte[] json, List<String> ignorePointers) throws InvalidJsonException {
        List<JsonPointer> pointers = new ArrayList<>(ignorePointers.size());
        for (String pointer : ignorePointers) {
            pointers.add(JsonPointer.parse(pointer));
        }
        return canonicalizeParsed(json, pointers);
    }

    static byte[] canonicalizeParsed(byte[] json, List<JsonPointer> ignorePointers) throws InvalidJsonException {
        Object root = JsonTree.parse(json);
        if (!ignorePointers.isEmpty()) {
            JsonTree.removeAll(root, ignorePointers);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(16, json.length));
        write(root, out);
        return out.toByteArray();
    }

    private static void write(Object node, ByteArrayOutputStream out) throws InvalidJsonException {
        if (node instanceof Map<?, ?> object) {
            out.write('{');
            boolean first = true;
            for (Map.Entry<?, ?> member : object.entrySet()) {
                if (!first) {
                    out.write(',');
                }
                first = false;
                writeString((String) member.getKey(), out);
                out.write(':');
                write(member.getValue(), out);
            }
            out.write('}');
        } else if (node instanceof List<?> array) {
            out.write('[');
            for (int i = 0; i < array.size(); i++) {
                if (i > 0) {
                    out.write(',');
                }
                write(array.get(i), out);
            }
            out.write(']');
        } else if (node instanceof String string) {
            writeString(string, out);
        } else if (node instanceof JsonTree.Number number) {
            writeAscii(canonicalNumber(number.text()), out);
        } else if (node instanceof Boolean bool) {
            writeAscii(bool ? "true" : "false", out);
        } else {
            writeAscii("null", out);
        }
    }

    static String canonicalNumber(String text) throws InvalidJsonException {
        try {
            BigDecimal value = new BigDecimal(text);
            if (value.signum() == 0) {
                return "0"; // stripTrailingZeros of a zero keeps a scale, and -0 must equal 0
            }
            BigDecimal stripped = value.stripTrailingZeros();
            // Integers up to 21 digits plainly (readable: 10, not 1E+1); everything else in BigDecimal's own
            // form, never toPlainString: 1e999999999 must not expand into a billion digits.
            boolean plainInteger = stripped.scale() <= 0 && (long) stripped.precision() - stripped.scale() <= 21;
            return plainInteger ? stripped.toPlainString() : stripped.toString();
        } catch (NumberFormatException | ArithmeticException e) {
            throw new InvalidJsonException("has a number out of range");
        }
    }

    private static void writeString(String s, ByteArrayOutputStream out) {
        out.write('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                out.write('\\');
                out.write(c);
            } else if (c < 0x20) {
                writeControl(c, out);
            } else if (c < 0x80) {
                out.write(c);
            } else if (c < 0x800) {
                out.write(0xC0 | (c >> 6));
                out.write(0x80 | (c & 0x3F));
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                out.write(0xF0 | (cp >> 18));
                out.write(0x80 | ((cp >> 12) & 0x3F));
                out.write(0x80 | ((cp >> 6) & 0x3F));
                out.write(0x80 | (cp & 0x3F));
            } else if (Character.isSurrogate(c)) {
                writeUnicodeEscape(c, out);
            } else {
                out.write(0xE0 | (c >> 12));
                out.write(0x80 | ((c >> 6) & 0x3F));
                out.write(0x80 | (c & 0x3F));
            }
        }
        out.write('"');
    }

    private static void writeControl(char c, ByteArrayOutputStream out) {
        char shortForm = switch (c) {
            case '\b' -> 'b';
            case '\f' -> 'f';
            case '\n' -> 'n';
            case '\r' -> 'r';
            case '\t' -> 't';
            default -> 0;
        };
        if (shortForm == 0) {
            writeUnicodeEscape(c, out);
        } else {
            out.write('\\');
            out.write(shortForm);
        }
    }

    private static void writeUnicodeEscape(char c, ByteArrayOutputStream out) {
        writeAscii(String.format("\\u%04x", (int) c), out);
    }

    private static void writeAscii(String ascii, ByteArrayOutputStream out) {
        for (int i = 0; i < ascii.length(); i++) {
            out.write(ascii.charAt(i));
        }
    }
}
