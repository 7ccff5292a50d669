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
        method = escape(method);
        path = escape(path);
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

    /**
     * Request data in a log line can forge lines or drive a terminal: control characters, quotes and
     * backslashes become {@code \xNN}. The gateway refuses such targets before this point; this is the
     * second line of defence, free when there is nothing to escape.
     */
    static String escape(String s) {
        int i = 0;
        while (i < s.length() && !needsEscape(s.charAt(i))) {
            i++;
        }
        if (i == s.length()) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length() + 8).append(s, 0, i);
        for (; i < s.length(); i++) {
            char c = s.charAt(i);
            if (needsEscape(c)) {
                b.append("\\x").append(Character.forDigit(c >> 4 & 0xf, 16)).append(Character.forDigit(c & 0xf, 16));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static boolean needsEscape(char c) {
        return c < 0x20 || c == 0x7f || c == '"' || c == '\\';
    }

    private static String millis(long nanos) {
        return String.format(java.util.Locale.ROOT, "%.3f", nanos / 1_000_000.0);
    }
}
