package io.idemgate.gateway.config;

import java.util.BitSet;
import java.util.List;

/**
 * A set of HTTP status codes written as classes ({@code "2xx"}) and single codes ({@code 409}).
 * Immutable after construction; {@link #contains} is a bit test, cheap on the response path.
 */
public final class StatusSet {

    private final BitSet codes;
    private final List<String> spelling;

    private StatusSet(BitSet codes, List<String> spelling) {
        this.codes = codes;
        this.spelling = List.copyOf(spelling);
    }

    /**
     * @param entries each {@code "Nxx"} with N in 1..5, or a code 100..599
     * @throws IllegalArgumentException naming the first entry that is neither
     */
    public static StatusSet parse(List<String> entries) {
        BitSet bits = new BitSet(600);
        for (String raw : entries) {
            String e = raw.trim().toLowerCase(java.util.Locale.ROOT);
            if (e.length() == 3 && e.endsWith("xx") && e.charAt(0) >= '1' && e.charAt(0) <= '5') {
                int base = (e.charAt(0) - '0') * 100;
                bits.set(base, base + 100);
            } else {
                int code;
                try {
                    code = Integer.parseInt(e);
                } catch (NumberFormatException nfe) {
                    throw new IllegalArgumentException("'" + raw + "' is neither a status class like \"2xx\" nor a status code");
                }
                if (code < 100 || code > 599) {
                    throw new IllegalArgumentException("status code " + code + " is outside 100..599");
                }
                bits.set(code);
            }
        }
        return new StatusSet(bits, entries);
    }

    public boolean contains(int status) {
        return status >= 0 && codes.get(status);
    }

    public List<String> spelling() {
        return spelling;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StatusSet other && other.codes.equals(codes);
    }

    @Override
    public int hashCode() {
        return codes.hashCode();
    }

    @Override
    public String toString() {
        return spelling.toString();
    }
}
