package io.idemgate.loadtest.fault;

/**
 * The faults a {@link FaultProxy} applies now; changed at runtime through {@link ProxyControl}. Immutable:
 * a change swaps the whole value, so a relay never sees half of one.
 *
 * @param latencyNanos       added one-way delay for every piece of data, in each direction
 * @param bytesPerSecond     bandwidth of each direction of each connection; 0 = unlimited
 * @param blackhole          connections are accepted but nothing is forwarded either way (a partition);
 *                           data and closes are held, not lost, and flow again when it is lifted
 * @param from               only connections from this client address suffer the faults (null: all); e.g. a
 *                           Redis replica with its own {@code bind-source-addr}, while the gateway's links stay healthy
 */
public record Faults(long latencyNanos, long bytesPerSecond, boolean blackhole, String from) {

    public static final Faults NONE = new Faults(0, 0, false, null);

    public Faults {
        if (latencyNanos < 0 || bytesPerSecond < 0) {
            throw new IllegalArgumentException("latency and bandwidth must be >= 0");
        }
    }

    public Faults withLatency(long nanos) {
        return new Faults(nanos, bytesPerSecond, blackhole, from);
    }

    public Faults withBandwidth(long bps) {
        return new Faults(latencyNanos, bps, blackhole, from);
    }

    public Faults from(String clientAddress) {
        return new Faults(latencyNanos, bytesPerSecond, blackhole, clientAddress);
    }

    public Faults withBlackhole(boolean on) {
        return new Faults(latencyNanos, bytesPerSecond, on, from);
    }
}
