package io.idemgate.loadtest.load;

/**
 * Whether the run sent at the rate it was asked to: the measured requests planned over the asked
 * duration, against the same requests' real send window (from the start of measurement to the last
 * send, never shorter than the asked duration). A target that answers slowly holds connections, the
 * backlog grows, and the window stretches: sending 25,000 requests planned over 5 s in 8.1 s is
 * 3,086 req/s achieved, not 5,000.
 *
 * @param planned measured requests planned (warm-up excluded; bursts included)
 * @param sent those of them actually sent
 * @param askedSeconds the asked {@code --duration}
 * @param sendSeconds the real send window
 * @param maxBacklog the most requests that waited for a free connection at once while measuring (the warm-up's
 *     peak, the JITs still cold on both sides, is {@link Timeline#warmupMaxBacklog()})
 */
public record Pace(long planned, long sent, double askedSeconds, double sendSeconds, long maxBacklog) {

    /** Below this share of the asked rate the run fell behind. */
    static final double BEHIND_BELOW = 0.9;

    public double askedRate() {
        return planned / askedSeconds;
    }

    public double achievedRate() {
        return sendSeconds > 0 ? sent / sendSeconds : 0;
    }

    /** Open loop only: sent less than 90 % of the asked rate over the real send window (or sent fewer than planned). */
    public boolean behind(boolean closedLoop) {
        return !closedLoop && planned > 0 && achievedRate() < BEHIND_BELOW * askedRate();
    }
}
