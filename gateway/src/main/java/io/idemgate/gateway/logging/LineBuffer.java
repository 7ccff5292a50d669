package io.idemgate.gateway.logging;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A batch of access lines as UTF-8 bytes, reused from batch to batch by the writer thread: lines are
 * formatted straight into it (no {@code StringBuilder}, no {@code String}, no encoding pass) and written
 * with one call. Encodes as {@link String#getBytes} with UTF-8 would ({@code ?} for a lone surrogate).
 */
final class LineBuffer {

    private static final int SHRINK_ABOVE = 1 << 20;
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private final int initialCapacity;
    private byte[] bytes;
    private int length;

    LineBuffer(int initialCapacity) {
        this.initialCapacity = initialCapacity;
        this.bytes = new byte[initialCapacity];
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    byte[] array() {
        return bytes;
    }

    int length() {
        return length;
    }

    /** Empties the buffer; one that a batch of very long lines grew is given back. */
    void clear() {
        length = 0;
        if (bytes.length > SHRINK_ABOVE) {
            bytes = new byte[initialCapacity];
        }
    }

    @Override
    public String toString() {
        return new String(bytes, 0, length, StandardCharsets.UTF_8);
    }

    LineBuffer append(byte[] constant) {
        ensure(constant.length);
        System.arraycopy(constant, 0, bytes, length, constant.length);
        length += constant.length;
        return this;
    }

    LineBuffer append(byte b) {
        ensure(1);
        bytes[length++] = b;
        return this;
    }

    /** A string as it is, UTF-8 encoded. */
    LineBuffer raw(String s) {
        return text(s, false);
    }

    /**
     * A string with control characters, quotes and backslashes as JSON unicode escapes (backslash, u, four
     * hex digits), UTF-8 encoded: request data cannot forge a line or drive a terminal.
     */
    LineBuffer escaped(String s) {
        return text(s, true);
    }

    private LineBuffer text(String s, boolean escape) {
        int n = s.length();
        ensure(n);
        byte[] b = bytes;
        int p = length;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x7f && (!escape || c != '"' && c != '\\')) {
                b[p++] = (byte) c; // the common case: room for it was ensured above
                continue;
            }
            length = p;
            i = rare(s, i, escape);
            b = bytes;
            p = length;
        }
        length = p;
        return this;
    }

    /** Appends the character at {@code i} that is not plain printable ASCII; @return the last index used. */
    private int rare(String s, int i, boolean escape) {
        char c = s.charAt(i);
        // Room for this character's bytes and for the plain ASCII rest of the string, as text() assumes.
        ensure(6 + s.length() - i);
        if (c < 0x80) {
            if (escape) {
                bytes[length++] = '\\';
                bytes[length++] = 'u';
                bytes[length++] = '0';
                bytes[length++] = '0';
                bytes[length++] = HEX[c >> 4 & 0xf];
                bytes[length++] = HEX[c & 0xf];
            } else {
                bytes[length++] = (byte) c;
            }
        } else if (c < 0x800) {
            bytes[length++] = (byte) (0xc0 | c >> 6);
            bytes[length++] = (byte) (0x80 | c & 0x3f);
        } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
            int cp = Character.toCodePoint(c, s.charAt(i + 1));
            bytes[length++] = (byte) (0xf0 | cp >> 18);
            bytes[length++] = (byte) (0x80 | cp >> 12 & 0x3f);
            bytes[length++] = (byte) (0x80 | cp >> 6 & 0x3f);
            bytes[length++] = (byte) (0x80 | cp & 0x3f);
            return i + 1;
        } else if (Character.isSurrogate(c)) {
            bytes[length++] = '?';
        } else {
            bytes[length++] = (byte) (0xe0 | c >> 12);
            bytes[length++] = (byte) (0x80 | c >> 6 & 0x3f);
            bytes[length++] = (byte) (0x80 | c & 0x3f);
        }
        return i;
    }

    /** A whole number in decimal. */
    LineBuffer number(long v) {
        if (v < 0) {
            if (v == Long.MIN_VALUE) {
                return append(ascii(Long.toString(v)));
            }
            append((byte) '-');
            v = -v;
        }
        ensure(19);
        int digits = 1;
        for (long x = v; x >= 10; x /= 10) {
            digits++;
        }
        int end = length + digits;
        for (int p = end - 1; p >= length; p--) {
            bytes[p] = (byte) ('0' + v % 10);
            v /= 10;
        }
        length = end;
        return this;
    }

    /** {@code v} as exactly {@code width} digits, zero-padded (0 ≤ v < 10^width). */
    LineBuffer padded(int v, int width) {
        ensure(width);
        for (int p = length + width - 1; p >= length; p--) {
            bytes[p] = (byte) ('0' + v % 10);
            v /= 10;
        }
        length += width;
        return this;
    }

    private void ensure(int more) {
        if (length + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
        }
    }
}
