package io.idemgate.gateway.idempotency;

import java.math.BigDecimal;
import java.util.Arrays;

/**
 * A growable byte buffer that writes JSON scalars in their canonical form (see {@link CanonicalJson}):
 * strings from Jackson's char buffers without a {@code String} in between, numbers without a
 * {@link BigDecimal} when the text is already a plain decimal.
 */
final class CanonicalOutput {

    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /** Integers up to this many digits are written plainly (10, not 1E+1). */
    private static final int PLAIN_INTEGER_DIGITS = 21;

    /** BigDecimal writes 0.000001 plainly but 1E-7: at most 5 zeros after the point. */
    private static final int PLAIN_LEADING_FRACTION_ZEROS = 5;

    byte[] bytes;
    int size;

    CanonicalOutput(int capacity) {
        bytes = new byte[capacity];
    }

    void ensure(int more) {
        if (size + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
        }
    }

    void write(int b) {
        ensure(1);
        bytes[size++] = (byte) b;
    }

    void writeAscii(String ascii) {
        ensure(ascii.length());
        for (int i = 0; i < ascii.length(); i++) {
            bytes[size++] = (byte) ascii.charAt(i);
        }
    }

    void writeString(String s) {
        // Field names come as Strings cached by Jackson's symbol table: copy-free to read.
        ensure(s.length() * 6 + 2);
        bytes[size++] = '"';
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
                bytes[size++] = (byte) c;
            } else {
                i = writeSpecial(c, i, i + 1 < s.length() ? s.charAt(i + 1) : 0);
            }
        }
        bytes[size++] = '"';
    }

    void writeString(char[] chars, int offset, int length) {
        // 6 bytes is the most one char becomes (an escape); a surrogate pair is 4 bytes for 2 chars.
        ensure(length * 6 + 2);
        bytes[size++] = '"';
        int end = offset + length;
        for (int i = offset; i < end; i++) {
            char c = chars[i];
            if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
                bytes[size++] = (byte) c;
            } else {
                i = writeSpecial(c, i, i + 1 < end ? chars[i + 1] : 0);
            }
        }
        bytes[size++] = '"';
    }

    /** Writes {@code c} (not plain ASCII); returns the index of the last char consumed. */
    private int writeSpecial(char c, int i, char next) {
        if (c == '"' || c == '\\') {
            bytes[size++] = '\\';
            bytes[size++] = (byte) c;
        } else if (c < 0x20) {
            writeControl(c);
        } else if (c < 0x800) {
            bytes[size++] = (byte) (0xC0 | (c >> 6));
            bytes[size++] = (byte) (0x80 | (c & 0x3F));
        } else if (Character.isHighSurrogate(c) && Character.isLowSurrogate(next)) {
            int cp = Character.toCodePoint(c, next);
            bytes[size++] = (byte) (0xF0 | (cp >> 18));
            bytes[size++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
            bytes[size++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
            bytes[size++] = (byte) (0x80 | (cp & 0x3F));
            return i + 1;
        } else if (Character.isSurrogate(c)) {
            writeUnicodeEscape(c); // unpaired: escaped so it cannot collide with '?'
        } else {
            bytes[size++] = (byte) (0xE0 | (c >> 12));
            bytes[size++] = (byte) (0x80 | ((c >> 6) & 0x3F));
            bytes[size++] = (byte) (0x80 | (c & 0x3F));
        }
        return i;
    }

    private void writeControl(char c) {
        char shortForm = switch (c) {
            case '\b' -> 'b';
            case '\f' -> 'f';
            case '\n' -> 'n';
            case '\r' -> 'r';
            case '\t' -> 't';
            default -> 0;
        };
        if (shortForm == 0) {
            writeUnicodeEscape(c);
        } else {
            bytes[size++] = '\\';
            bytes[size++] = (byte) shortForm;
        }
    }

    private void writeUnicodeEscape(char c) {
        bytes[size++] = '\\';
        bytes[size++] = 'u';
        bytes[size++] = HEX[(c >> 12) & 0xF];
        bytes[size++] = HEX[(c >> 8) & 0xF];
        bytes[size++] = HEX[(c >> 4) & 0xF];
        bytes[size++] = HEX[c & 0xF];
    }

    /**
     * Writes the number {@code chars[offset, offset + length)}, as Jackson validated it, in the form
     * {@link CanonicalJson#canonicalNumber} gives; plain decimals directly, the rest through it.
     *
     * @return false when the number is beyond range (nothing written)
     */
    boolean writeNumber(char[] chars, int offset, int length) {
        int end = offset + length;
        int i = offset;
        boolean negative = chars[i] == '-';
        if (negative) {
            i++;
        }
        int intStart = i;
        while (i < end && isDigit(chars[i])) {
            i++;
        }
        int intEnd = i;
        int fractionStart = i;
        int fractionEnd = i;
        if (i < end && chars[i] == '.') {
            fractionStart = ++i;
            while (i < end && isDigit(chars[i])) {
                i++;
            }
            fractionEnd = i;
        }
        int intDigits = intEnd - intStart;
        if (i != end || intDigits == 0 || (intDigits > 1 && chars[intStart] == '0')) {
            return writeNumberSlowly(chars, offset, length); // an exponent, or a form Jackson should not let in
        }
        while (fractionEnd > fractionStart && chars[fractionEnd - 1] == '0') {
            fractionEnd--;
        }
        boolean intIsZero = intDigits == 1 && chars[intStart] == '0';
        if (fractionEnd == fractionStart) {
            if (intIsZero) {
                write('0'); // -0 and 0.000 too
                return true;
            }
            if (intDigits > PLAIN_INTEGER_DIGITS) {
                return writeNumberSlowly(chars, offset, length);
            }
            writeChars(chars, offset, intEnd - offset);
            return true;
        }
        if (intIsZero) {
            int zeros = 0;
            while (chars[fractionStart + zeros] == '0') {
                zeros++;
            }
            if (zeros > PLAIN_LEADING_FRACTION_ZEROS) {
                return writeNumberSlowly(chars, offset, length);
            }
        }
        writeChars(chars, offset, fractionEnd - offset);
        return true;
    }

    private boolean writeNumberSlowly(char[] chars, int offset, int length) {
        try {
            writeAscii(CanonicalNumber.of(chars, offset, length));
            return true;
        } catch (InvalidJsonException e) {
            return false;
        }
    }

    private void writeChars(char[] chars, int offset, int length) {
        ensure(length);
        for (int i = offset; i < offset + length; i++) {
            bytes[size++] = (byte) chars[i];
        }
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
