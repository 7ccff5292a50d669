package io.idemgate.gateway.logging;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/**
 * Writes access lines in the same two shapes as the rest of the log: the text layout's
 * {@code time LEVEL [thread] logger - message key="value"…} and the JSON layout's object with
 * {@code kvpList}, so a log pipeline parses them like any other line. Writer thread only (it keeps
 * the last formatted second).
 */
final class AccessLineFormat {

    static final String LOGGER = "idemgate.access";
    private static final DateTimeFormatter SECOND = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss")
            .withZone(ZoneId.systemDefault());
    private static final DateTimeFormatter ZONE = DateTimeFormatter.ofPattern("XXX").withZone(ZoneId.systemDefault());

    private final boolean json;
    private long second = Long.MIN_VALUE;
    private String secondText = "";
    private String zoneText = "";

    AccessLineFormat(boolean json) {
        this.json = json;
    }

    /** Appends one whole line, newline included. */
    void append(StringBuilder b, AccessRecord r) {
        if (json) {
            json(b, r);
        } else {
            text(b, r);
        }
        b.append('\n');
    }

    private void text(StringBuilder b, AccessRecord r) {
        timestamp(b, r.epochMillis());
        b.append(" INFO  [").append(r.thread()).append("] ").append(LOGGER).append(" - ");
        escaped(b, r.method());
        b.append(' ');
        escaped(b, r.path());
        b.append(' ').append(r.status());
        if (r.keyHash() != null) {
            textField(b, "key_hash", r.keyHash());
        }
        if (r.fence() > 0) {
            b.append(" fence=\"").append(r.fence()).append('"');
        }
        textField(b, "route", r.route());
        textField(b, "method", r.method());
        textField(b, "path", r.path());
        b.append(" status=\"").append(r.status()).append('"');
        textField(b, "outcome", r.outcome());
        b.append(" upstream_ms=\"");
        millis(b, r.upstreamNanos());
        b.append("\" duration_ms=\"");
        millis(b, r.totalNanos());
        b.append('"');
        textField(b, "client", r.client());
        textField(b, "protocol", r.protocol());
    }

    private static void textField(StringBuilder b, String key, String value) {
        b.append(' ').append(key).append("=\"");
        escaped(b, value);
        b.append('"');
    }

    private void json(StringBuilder b, AccessRecord r) {
        b.append("{\"timestamp\":").append(r.epochMillis()).append(",\"level\":\"INFO\",\"threadName\":\"");
        escaped(b, r.thread());
        b.append("\",\"loggerName\":\"").append(LOGGER).append("\",\"kvpList\":[");
        if (r.keyHash() != null) {
            jsonField(b, "key_hash", r.keyHash()).append(',');
        }
        if (r.fence() > 0) {
            b.append("{\"fence\":\"").append(r.fence()).append("\"},");
        }
        jsonField(b, "route", r.route()).append(',');
        jsonField(b, "method", r.method()).append(',');
        jsonField(b, "path", r.path()).append(',');
        b.append("{\"status\":\"").append(r.status()).append("\"},");
        jsonField(b, "outcome", r.outcome()).append(',');
        b.append("{\"upstream_ms\":\"");
        millis(b, r.upstreamNanos());
        b.append("\"},{\"duration_ms\":\"");
        millis(b, r.totalNanos());
        b.append("\"},");
        jsonField(b, "client", r.client()).append(',');
        jsonField(b, "protocol", r.protocol());
        b.append("],\"formattedMessage\":\"");
        escaped(b, r.method());
        b.append(' ');
        escaped(b, r.path());
        b.append(' ').append(r.status()).append("\"}");
    }

    private static StringBuilder jsonField(StringBuilder b, String key, String value) {
        b.append("{\"").append(key).append("\":\"");
        escaped(b, value);
        return b.append("\"}");
    }

    /** {@code yyyy-MM-dd'T'HH:mm:ss.SSSXXX}, as the text layout; the second is formatted once per second. */
    private void timestamp(StringBuilder b, long epochMillis) {
        long s = Math.floorDiv(epochMillis, 1000);
        if (s != second) {
            Instant at = Instant.ofEpochSecond(s);
            secondText = SECOND.format(at);
            zoneText = ZONE.format(at);
            second = s;
        }
        int ms = (int) Math.floorMod(epochMillis, 1000);
        b.append(secondText).append('.');
        if (ms < 100) {
            b.append('0');
        }
        if (ms < 10) {
            b.append('0');
        }
        b.append(ms).append(zoneText);
    }

    /** Milliseconds with three decimals, or {@code -} for a negative (absent) time. */
    static void millis(StringBuilder b, long nanos) {
        if (nanos < 0) {
            b.append('-');
            return;
        }
        long micros = (nanos + 500) / 1000;
        b.append(micros / 1000).append('.');
        long frac = micros % 1000;
        if (frac < 100) {
            b.append('0');
        }
        if (frac < 10) {
            b.append('0');
        }
        b.append(frac);
    }

    /**
     * Request data in a log line can forge lines or drive a terminal: control characters, quotes and
     * backslashes become JSON unicode escapes (backslash, u, four hex digits): valid JSON, unambiguous text.
     */
    static void escaped(StringBuilder b, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
                b.append("\\u00").append(Character.forDigit(c >> 4 & 0xf, 16)).append(Character.forDigit(c & 0xf, 16));
            } else {
                b.append(c);
            }
        }
    }
}
