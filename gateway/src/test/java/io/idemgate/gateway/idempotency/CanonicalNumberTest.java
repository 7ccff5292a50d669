package io.idemgate.gateway.idempotency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * {@link CanonicalNumber} writes what {@code BigDecimal.stripTrailingZeros()} would (the form golden
 * fingerprints pin) and refuses what BigDecimal refuses, in time linear in the number's length.
 */
class CanonicalNumberTest {

    /** What the first release computed, with BigDecimal: the oracle. */
    private static String byBigDecimal(String text) {
        try {
            BigDecimal value = new BigDecimal(text);
            if (value.signum() == 0) {
                return "0";
            }
            BigDecimal stripped = value.stripTrailingZeros();
            boolean plainInteger = stripped.scale() <= 0 && (long) stripped.precision() - stripped.scale() <= 21;
            return plainInteger ? stripped.toPlainString() : stripped.toString();
        } catch (NumberFormatException | ArithmeticException e) {
            return "out of range";
        }
    }

    private static String canonical(String text) {
        try {
            return CanonicalNumber.of(text.toCharArray(), 0, text.length());
        } catch (InvalidJsonException e) {
            return "out of range";
        }
    }

    @Property(tries = 3000)
    void agreesWithBigDecimal(@ForAll("numbers") String number) {
        assertThat(canonical(number)).as(number).isEqualTo(byBigDecimal(number));
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<String> numbers() {
        return net.jqwik.api.Arbitraries.randomValue(CanonicalNumberTest::number);
    }

    private static String number(Random r) {
        StringBuilder b = new StringBuilder(r.nextBoolean() ? "-" : "");
        int intDigits = r.nextInt(10) == 0 ? 30 + r.nextInt(1000) : 1 + r.nextInt(25);
        b.append(r.nextInt(4) == 0 ? '0' : (char) ('1' + r.nextInt(9)));
        if (b.charAt(b.length() - 1) != '0') {
            for (int i = 1; i < intDigits; i++) {
                b.append(r.nextInt(3) == 0 ? '0' : (char) ('0' + r.nextInt(10)));
            }
        }
        if (r.nextBoolean()) {
            b.append('.');
            int frac = 1 + (r.nextInt(10) == 0 ? r.nextInt(1000) : r.nextInt(12));
            for (int i = 0; i < frac; i++) {
                b.append(r.nextInt(2) == 0 ? '0' : (char) ('0' + r.nextInt(10)));
            }
        }
        if (r.nextInt(3) == 0) {
            b.append(r.nextBoolean() ? 'e' : 'E');
            int kind = r.nextInt(5);
            b.append(kind == 0 ? "-" : kind == 1 ? "+" : "");
            String[] exps = {String.valueOf(r.nextInt(40)), String.valueOf(r.nextInt(Integer.MAX_VALUE)),
                "2147483647", "2147483648", "00000000000001", "99999999999", "0"};
            b.append(exps[r.nextInt(exps.length)]);
        }
        return b.toString();
    }

    @Test
    void edgesOfTheScale() {
        for (String n : List.of("1e2147483647", "1e-2147483648", "1.5e-2147483647", "10e2147483647", "1e2147483648",
                "0e99999999999", "0.0e-2147483648", "100e-2147483648", "1000000000000000000000", "10000000000000000000000",
                "123.4500", "0.000001", "0.0000001", "1" + "0".repeat(5000), "1" + "0".repeat(5000) + ".000",
                "-0.00", "1e+0000000000005", "123456789012345678901", "1234567890123456789012")) {
            assertThat(canonical(n)).as(n).isEqualTo(byBigDecimal(n));
        }
    }

    /** BigDecimal's own form overflowed here: precision - scale wrapped and toPlainString threw. */
    @Test
    void theLargestExponentIsWrittenNotThrown() throws Exception {
        assertThat(CanonicalJson.canonicalNumber("1e2147483647")).isEqualTo("1E+2147483647");
        assertThat(new String(CanonicalJson.canonicalize("{\"a\":1e2147483647}".getBytes(StandardCharsets.US_ASCII), List.of()),
                StandardCharsets.US_ASCII)).isEqualTo("{\"a\":1E+2147483647}");
    }

    @Test
    void outOfRangeIsInvalidJson() {
        assertThatThrownBy(() -> CanonicalJson.canonicalNumber("1e99999999999")).isInstanceOf(InvalidJsonException.class);
    }

    /**
     * The payload: a 1 MB array of 1000-digit numbers (the longest Jackson reads). Asserts on
     * scaling, not on a time: per byte, numbers 10 times as long must cost about the same CPU (linear),
     * where BigDecimal's parse, strip and print cost about 10 times as much (quadratic). The bound leaves
     * a factor of 4 for noise; CPU time of this thread, the best of five.
     */
    @Test
    void costPerByteDoesNotGrowWithTheLengthOfTheNumbers() throws Exception {
        byte[] hundredDigits = arrayOfNumbers(100, 1 << 20);
        byte[] thousandDigits = arrayOfNumbers(1000, 1 << 20);
        for (int i = 0; i < 3; i++) { // warm up both shapes
            CanonicalJson.canonicalize(hundredDigits, List.of());
            CanonicalJson.canonicalize(thousandDigits, List.of());
        }
        long hundredCost = Long.MAX_VALUE;
        long thousandCost = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) { // the best of five: what the code costs, not what the machine did meanwhile
            hundredCost = Math.min(hundredCost, cpuNanos(hundredDigits));
            thousandCost = Math.min(thousandCost, cpuNanos(thousandDigits));
        }
        assertThat((double) thousandCost / hundredCost).as("CPU of 1,000-digit vs 100-digit numbers, same bytes")
                .isLessThan(4.0);
        assertThat(new String(CanonicalJson.canonicalize(thousandDigits, List.of()), StandardCharsets.US_ASCII))
                .startsWith("[" + byBigDecimal(new String(thousandDigits, 1, 1000, StandardCharsets.US_ASCII)));
    }

    private static long cpuNanos(byte[] json) throws InvalidJsonException {
        ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        long start = bean.getCurrentThreadCpuTime();
        CanonicalJson.canonicalize(json, List.of());
        return bean.getCurrentThreadCpuTime() - start;
    }

    /** {@code [n,n,...]} of about {@code bytes} bytes, each number {@code digits} digits ending in zeros. */
    static byte[] arrayOfNumbers(int digits, int bytes) {
        Random r = new Random(digits);
        StringBuilder b = new StringBuilder(bytes + digits + 2).append('[');
        while (b.length() < bytes) {
            if (b.length() > 1) {
                b.append(',');
            }
            b.append((char) ('1' + r.nextInt(9)));
            for (int i = 1; i < digits; i++) {
                b.append(i > digits / 2 ? '0' : (char) ('0' + r.nextInt(10)));
            }
        }
        return b.append(']').toString().getBytes(StandardCharsets.US_ASCII);
    }
}
