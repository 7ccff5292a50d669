package io.idemgate.loadtest.fault;

/**
 * The faults a {@link FaultProxy} applies now; changed at runtime through {@link ProxyControl}. Immutable:
 * a change swaps the whole value, so a relay never sees half of one.
 *
 * @param latencyNanos       added one-way delay for every piece of data, in each direction
 * @param bytesPerSecond     bandwidth of each direction of each connection; 0 = unlimited
 * @param blackhole          connections are accepted but nothing is forwarded either way (a partition);
 *                           data and closes are held, not lost, and flow again when it is lifted
 */
public record Faults(long latencyNanos, long bytesPerSecond, boolean blackhole) {

    public static final Faults NONE = new Faults(0, 0, false);

    public Faults {
        if (latencyNanos < 0 || bytesPerSecond < 0) {
            throw new IllegalArgumentException("latency and bandwidth must be >= 0");
        }
    }

    public Faults withLatency(long nanos) {
        return new Faults(nanos, bytesPerSecond, blackhole);
    }

    public Faults withBandwidth(long bps) {
        return new Faults(latencyNanos, bps, blackhole);
    }

    public Faults withBlackhole(boolean on) {
        return new Faults(latencyNanos, bytesPerSecond, on);
    }
}
