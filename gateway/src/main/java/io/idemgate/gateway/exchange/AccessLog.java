package io.idemgate.gateway.exchange;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per exchange on the {@code idemgate.access} logger, with the fields as SLF4J key/values so
 * the JSON layout emits them as fields and the text layout as {@code key=value}.
 */
public final class AccessLog {

    private static final Logger log = LoggerFactory.getLogger("idemgate.access");

    private final boolean enabled;

    public AccessLog(boolean enabled) {
        this.enabled = enabled;
    }

    public void record(String route, String method, String path, int status, String outcome,
                       long upstreamNanos, long totalNanos, String client) {
        record(route, method, path, status, outcome, upstreamNanos, totalNanos, client, null, 0);
    }

    /**
     * @param keyHash short hash of the idempotency key (never the key), or null outside the engine
     * @param fence the executing attempt's fencing number, or 0
     */
    public void record(String route, String method, String path, int status, String outcome,
                       long upstreamNanos, long totalNanos, String client, String keyHash, long fence) {
        if (!enabled || !log.isInfoEnabled()) {
            return;
        }
        var event = log.atInfo();
        if (keyHash != null) {
            event = event.addKeyValue("key_hash", keyHash);
        }
        if (fence > 0) {
            event = event.addKeyValue("fence", fence);
        }
        event
                .addKeyValue("route", route)
                .addKeyValue("method", method)
                .addKeyValue("path", path)
                .addKeyValue("status", status)
                .addKeyValue("outcome", outcome)
                .addKeyValue("upstream_ms", upstreamNanos < 0 ? "-" : millis(upstreamNanos))
                .addKeyValue("duration_ms", millis(totalNanos))
                .addKeyValue("client", client)
                .log("{} {} {}", method, path, status);
    }

    private static String millis(long nanos) {
        return String.format(java.util.Locale.ROOT, "%.3f", nanos / 1_000_000.0);
    }
}
