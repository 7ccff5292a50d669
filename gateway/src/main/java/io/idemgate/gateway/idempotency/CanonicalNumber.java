package io.idemgate.gateway.idempotency;

/**
 * The canonical text of a JSON number, computed from its digits in one pass: the same characters
 * {@code new BigDecimal(text).stripTrailingZeros()} then {@code toPlainString()} (integers of up to 21
 * digits) or {@code toString()} would give, and the same numbers refused as out of range — but linear in
 * the length of the text. BigDecimal parses, strips and prints long numbers in quadratic time: a 1 MB
 * array of 1000-digit numbers cost half a second of an event loop. Stateless.
 */
final class CanonicalNumber {

    /** Integers up to this many digits are written plainly (10, not 1E+1). */
    private static final int PLAIN_INTEGER_DIGITS = 21;

    private CanonicalNumber() {
    }

    /**
     * @param chars a JSON number as the parser validated it: {@code -?digits[.digits][(e|E)[+-]digits]}
     * @return its canonical text
     * @throws InvalidJsonException when BigDecimal would refuse it (exponent or scale beyond an int)
     */
    static String of(char[] chars, int offset, int length) throws InvalidJsonException {
        int end = offset + length;
        int i = offset;
        boolean negative = i < end && chars[i] == '-';
        if (negative || i < end && chars[i] == '+') {
            i++;
        }
        int intStart = i;
        while (i < end && isDigit(chars[i])) {
            i++;
        }
        int intEnd = i;
        int fracStart = i;
        int fracEnd = i;
        if (i < end && chars[i] == '.') {
            fracStart = ++i;
            while (i < end && isDigit(chars[i])) {
                i++;
            }
            fracEnd = i;
        }
        if (intEnd == intStart && fracEnd == fracStart) {
            throw outOfRange(); // no digits: not a number BigDecimal reads
        }
        long exponent = 0;
        if (i < end && (chars[i] == 'e' || chars[i] == 'E')) {
            exponent = exponent(chars, i + 1, end);
        } else if (i != end) {
            throw outOfRange();
        }
        // BigDecimal: scale = digits after the point - exponent, and it must be an int.
        long scale = (fracEnd - fracStart) - exponent;
        if (scale != (int) scale) {
            throw outOfRange();
        }
        // The coefficient: the digits of both parts without leading and trailing zeros.
        int first = -1;
        int last = -1;
        int trailingZerosInFraction = 0;
        for (int k = intStart; k < intEnd; k++) {
            if (chars[k] != '0') {
                if (first < 0) {
                    first = k;
                }
                last = k;
            }
        }
        for (int k = fracStart; k < fracEnd; k++) {
            if (chars[k] != '0') {
                if (first < 0) {
                    first = k;
                }
                last = k;
            }
        }
        if (first < 0) {
            return "0"; // zero in any form, -0 too
        }
        StringBuilder coefficient = new StringBuilder(length);
        appendDigits(coefficient, chars, first, last, intEnd, fracStart);
        // Each trailing zero stripped lowers the scale by one; BigDecimal refuses a scale below an int.
        long zerosStripped;
        if (last < intEnd) {
            zerosStripped = (intEnd - 1 - last) + (fracEnd - fracStart);
        } else {
            zerosStripped = fracEnd - 1 - last;
        }
        long stripped = scale - zerosStripped;
        if (stripped != (int) stripped) {
            throw outOfRange();
        }
        int precision = coefficient.length();
        StringBuilder out = new StringBuilder(precision + 16);
        if (negative) {
            out.append('-');
        }
        if (stripped <= 0 && precision - stripped <= PLAIN_INTEGER_DIGITS) {
            out.append(coefficient);
            for (long z = 0; z < -stripped; z++) {
                out.append('0');
            }
            return out.toString();
        }
        // BigDecimal.toString: plain when the scale is not negative and the adjusted exponent is >= -6.
        long adjusted = -stripped + (precision - 1);
        if (stripped >= 0 && adjusted >= -6) {
            int pointAt = precision - (int) stripped;
            if (stripped == 0) {
                out.append(coefficient);
            } else if (pointAt > 0) {
                out.append(coefficient, 0, pointAt).append('.').append(coefficient, pointAt, precision);
            } else {
                out.append("0.");
                for (int z = 0; z < -pointAt; z++) {
                    out.append('0');
                }
                out.append(coefficient);
            }
            return out.toString();
        }
        out.append(coefficient.charAt(0));
        if (precision > 1) {
            out.append('.').append(coefficient, 1, precision);
        }
        if (adjusted != 0) {
            out.append('E');
            if (adjusted > 0) {
                out.append('+');
            }
            out.append(adjusted);
        }
        return out.toString();
    }

    /** The digits from {@code first} to {@code last}, skipping the point between the two parts. */
    private static void appendDigits(StringBuilder to, char[] chars, int first, int last, int intEnd, int fracStart) {
        for (int k = first; k <= last; k++) {
            if (k == intEnd && k < fracStart) {
                k = fracStart - 1; // the '.'
                continue;
            }
            to.append(chars[k]);
        }
    }

    /** BigDecimal's reading of an exponent: at most 10 digits after leading zeros, and it must fit an int. */
    private static long exponent(char[] chars, int i, int end) throws InvalidJsonException {
        boolean negative = false;
        if (i < end && (chars[i] == '+' || chars[i] == '-')) {
            negative = chars[i] == '-';
            i++;
        }
        if (i >= end) {
            throw outOfRange();
        }
        while (end - i > 10 && chars[i] == '0') {
            i++;
        }
        if (end - i > 10) {
            throw outOfRange();
        }
        long e = 0;
        for (; i < end; i++) {
            if (!isDigit(chars[i])) {
                throw outOfRange();
            }
            e = e * 10 + (chars[i] - '0');
        }
        e = negative ? -e : e;
        if (e != (int) e) {
            throw outOfRange();
        }
        return e;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static InvalidJsonException outOfRange() {
        return new InvalidJsonException("has a number out of range");
    }
}
