package io.idemgate.gateway.config;

import java.time.Duration;

/** Durations written as a config file writes them ({@code 24h}, {@code 30s}), not as Java does ({@code PT24H}). */
public final class DurationText {

    private static final long[] UNIT_NANOS = {86_400_000_000_000L, 3_600_000_000_000L, 60_000_000_000L, 1_000_000_000L,
        1_000_000L, 1_000L};
    private static final String[] UNITS = {"d", "h", "m", "s", "ms", "us"};

    private DurationText() {
    }

    /** The largest whole unit that spells the duration exactly: {@code 24h}, {@code 30s}, {@code 250ms}. */
    public static String of(Duration d) {
        long nanos = d.toNanos();
        for (int i = 0; i < UNITS.length; i++) {
            if (nanos != 0 && nanos % UNIT_NANOS[i] == 0) {
                return nanos / UNIT_NANOS[i] + UNITS[i];
            }
        }
        return nanos == 0 ? "0s" : nanos + "ns";
    }
}
