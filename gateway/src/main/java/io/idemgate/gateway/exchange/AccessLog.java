package io.idemgate.gateway.exchange;

import io.idemgate.gateway.logging.AccessLogWriter;

/**
 * One line per exchange on the {@code idemgate.access} log (route, method, path, status, outcome,
 * upstream and total time, client, key hash, fence). The line is handed to an {@link AccessLogWriter},
 * which formats and writes it off the event loop; disabled, it costs nothing.
 */
public final class AccessLog {

    private final AccessLogWriter writer;

    /** @param writer where lines go, or null when the access log is off */
    public AccessLog(AccessLogWriter writer) {
        this.writer = writer;
    }

    public void record(String route, String method, String path, int status, String outcome,
                       long upstreamNanos, long totalNanos, String client, String protocol) {
        record(route, method, path, status, outcome, upstreamNanos, totalNanos, client, null, 0, protocol);
    }

    /**
     * @param keyHash keyed hash of the idempotency key (never the key), or null outside the engine
     * @param fence the executing attempt's fencing number, or 0
     * @param protocol the client's protocol, {@code http/1.1} or {@code h2}
     */
    public void record(String route, String method, String path, int status, String outcome,
                       long upstreamNanos, long totalNanos, String client, String keyHash, long fence, String protocol) {
        if (writer != null) {
            writer.record(route, method, path, status, outcome, upstreamNanos, totalNanos, client, keyHash, fence, protocol);
        }
    }
}
