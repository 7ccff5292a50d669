package io.idemgate.gateway.store.memory;

/** Lower-case hex, as the gateway's ids and fingerprints spell SHA-256 digests: 16 characters per long. */
final class Hex {

    private static final char[] DIGITS = "0123456789abcdef".toCharArray();

    private Hex() {
    }

    static boolean isLowerHex(String s) {
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (!(ch >= '0' && ch <= '9' || ch >= 'a' && ch <= 'f')) {
                return false;
            }
        }
        return true;
    }

    /** The 16 lower-case hex characters of {@code s} from {@code from}, as the bits of one long. */
    static long parse(String s, int from) {
        long value = 0;
        for (int i = from; i < from + 16; i++) {
            value = value << 4 | nibble(s.charAt(i));
        }
        return value;
    }

    /** The inverse of {@link #parse}: 16 characters, leading zeros kept. */
    static String format(long value) {
        char[] out = new char[16];
        for (int i = 15; i >= 0; i--) {
            out[i] = DIGITS[(int) (value & 0xf)];
            value >>>= 4;
        }
        return new String(out);
    }

    /** The digit of a 4-bit value. */
    static char digit(int nibble) {
        return DIGITS[nibble];
    }

    /** The 4-bit value of a lower-case hex digit. */
    static int nibble(char ch) {
        return ch <= '9' ? ch - '0' : ch - 'a' + 10;
    }
}
