package io.idemgate.loadtest.upstream;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/** A response delay: fixed ({@code 5ms}) or uniformly random in a range ({@code 1ms..20ms}). */
public record Latency(Duration min, Duration max) {

    public static final Latency NONE = new Latency(Duration.ZERO, Duration.ZERO);

    public Latency {
        if (min.isNegative() || max.compareTo(min) < 0) {
            throw new IllegalArgumentException("latency range must satisfy 0 <= min <= max, got " + min + ".." + max);
        }
    }

    /** Parses {@code 5ms}, {@code 1ms..20ms}, {@code 0}; units ns, us, ms, s, m; a bare number means milliseconds. */
    public static Latency parse(String text) {
        int dots = text.indexOf("..");
        if (dots < 0) {
            Duration d = parseDuration(text);
            return new Latency(d, d);
        }
        return new Latency(parseDuration(text.substring(0, dots)), parseDuration(text.substring(dots + 2)));
    }

    public static Duration parseDuration(String text) {
        String t = text.trim();
        int i = 0;
        while (i < t.length() && (Character.isDigit(t.charAt(i)) || t.charAt(i) == '.')) {
            i++;
        }
        if (i == 0) {
            throw new IllegalArgumentException("not a duration: '" + text + "' (e.g. 5ms, 1s, 250us)");
        }
        double amount = Double.parseDouble(t.substring(0, i));
        long nanosPerUnit = switch (t.substring(i).trim()) {
            case "ns" -> 1L;
            case "us" -> 1_000L;
            case "", "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            default -> throw new IllegalArgumentException("unknown duration unit in '" + text + "' (ns, us, ms, s, m)");
        };
        return Duration.ofNanos(Math.round(amount * nanosPerUnit));
    }

    public boolean isZero() {
        return max.isZero();
    }

    public long nextNanos() {
        long lo = min.toNanos();
        long hi = max.toNanos();
        return lo == hi ? lo : ThreadLocalRandom.current().nextLong(lo, hi + 1);
    }

    @Override
    public String toString() {
        return min.equals(max) ? millis(min) : millis(min) + ".." + millis(max);
    }

    private static String millis(Duration d) {
        return (d.toNanos() / 1_000_000.0) + "ms";
    }
}
