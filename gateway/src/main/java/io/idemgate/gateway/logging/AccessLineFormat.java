package io.idemgate.gateway.logging;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/**
 * Writes access lines in the same two shapes as the rest of the log: the text layout's
 * {@code time LEVEL [thread] logger - message key="value"…} and the JSON layout's object with
 * {@code kvpList}, so a log pipeline parses them like any other line. Straight into the writer's
 * {@link LineBuffer}: the fixed parts are byte arrays made once, numbers are written as digits, and the
 * timestamp's second (and zone) is formatted once a second. Writer thread only.
 */
final class AccessLineFormat {

    static final String LOGGER = "idemgate.access";
    private static final DateTimeFormatter SECOND = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss")
            .withZone(ZoneId.systemDefault());
    private static final DateTimeFormatter ZONE = DateTimeFormatter.ofPattern("XXX").withZone(ZoneId.systemDefault());

    private static final byte[] TEXT_LEVEL = LineBuffer.ascii(" INFO  [");
    private static final byte[] TEXT_LOGGER = LineBuffer.ascii("] " + LOGGER + " - ");
    private static final byte[] TEXT_KEY_HASH = LineBuffer.ascii(" key_hash=\"");
    private static final byte[] TEXT_FENCE = LineBuffer.ascii(" fence=\"");
    private static final byte[] TEXT_ROUTE = LineBuffer.ascii(" route=\"");
    private static final byte[] TEXT_METHOD = LineBuffer.ascii("\" method=\"");
    private static final byte[] TEXT_PATH = LineBuffer.ascii("\" path=\"");
    private static final byte[] TEXT_STATUS = LineBuffer.ascii("\" status=\"");
    private static final byte[] TEXT_OUTCOME = LineBuffer.ascii("\" outcome=\"");
    private static final byte[] TEXT_UPSTREAM = LineBuffer.ascii("\" upstream_ms=\"");
    private static final byte[] TEXT_DURATION = LineBuffer.ascii("\" duration_ms=\"");
    private static final byte[] TEXT_CLIENT = LineBuffer.ascii("\" client=\"");
    private static final byte[] TEXT_PROTOCOL = LineBuffer.ascii("\" protocol=\"");
    private static final byte[] TEXT_END = LineBuffer.ascii("\"\n");

    private static final byte[] JSON_TIMESTAMP = LineBuffer.ascii("{\"timestamp\":");
    private static final byte[] JSON_THREAD = LineBuffer.ascii(",\"level\":\"INFO\",\"threadName\":\"");
    private static final byte[] JSON_LOGGER = LineBuffer.ascii("\",\"loggerName\":\"" + LOGGER + "\",\"kvpList\":[");
    private static final byte[] JSON_KEY_HASH = LineBuffer.ascii("{\"key_hash\":\"");
    private static final byte[] JSON_FENCE = LineBuffer.ascii("{\"fence\":\"");
    private static final byte[] JSON_ROUTE = LineBuffer.ascii("{\"route\":\"");
    private static final byte[] JSON_METHOD = LineBuffer.ascii("\"},{\"method\":\"");
    private static final byte[] JSON_PATH = LineBuffer.ascii("\"},{\"path\":\"");
    private static final byte[] JSON_STATUS = LineBuffer.ascii("\"},{\"status\":\"");
    private static final byte[] JSON_OUTCOME = LineBuffer.ascii("\"},{\"outcome\":\"");
    private static final byte[] JSON_UPSTREAM = LineBuffer.ascii("\"},{\"upstream_ms\":\"");
    private static final byte[] JSON_DURATION = LineBuffer.ascii("\"},{\"duration_ms\":\"");
    private static final byte[] JSON_CLIENT = LineBuffer.ascii("\"},{\"client\":\"");
    private static final byte[] JSON_PROTOCOL = LineBuffer.ascii("\"},{\"protocol\":\"");
    private static final byte[] JSON_MESSAGE = LineBuffer.ascii("\"}],\"formattedMessage\":\"");
    private static final byte[] JSON_END = LineBuffer.ascii("\"}\n");
    private static final byte[] FIELD_END = LineBuffer.ascii("\"},");

    private final boolean json;
    private long second = Long.MIN_VALUE;
    private byte[] secondText = new byte[0];
    private byte[] zoneText = new byte[0];

    AccessLineFormat(boolean json) {
        this.json = json;
    }

    /** Appends one whole line, newline included. */
    void append(LineBuffer b, AccessRecord r) {
        if (json) {
            json(b, r);
        } else {
            text(b, r);
        }
    }

    private void text(LineBuffer b, AccessRecord r) {
        timestamp(b, r.epochMillis());
        b.append(TEXT_LEVEL).raw(r.thread()).append(TEXT_LOGGER);
        b.escaped(r.method()).append((byte) ' ').escaped(r.path()).append((byte) ' ').number(r.status());
        if (r.keyHash() != null) {
            b.append(TEXT_KEY_HASH).escaped(r.keyHash()).append((byte) '"');
        }
        if (r.fence() > 0) {
            b.append(TEXT_FENCE).number(r.fence()).append((byte) '"');
        }
        b.append(TEXT_ROUTE).escaped(r.route());
        b.append(TEXT_METHOD).escaped(r.method());
        b.append(TEXT_PATH).escaped(r.path());
        b.append(TEXT_STATUS).number(r.status());
        b.append(TEXT_OUTCOME).escaped(r.outcome());
        b.append(TEXT_UPSTREAM);
        millis(b, r.upstreamNanos());
        b.append(TEXT_DURATION);
        millis(b, r.totalNanos());
        b.append(TEXT_CLIENT).escaped(r.client());
        b.append(TEXT_PROTOCOL).escaped(r.protocol());
        b.append(TEXT_END);
    }

    private void json(LineBuffer b, AccessRecord r) {
        b.append(JSON_TIMESTAMP).number(r.epochMillis()).append(JSON_THREAD).escaped(r.thread()).append(JSON_LOGGER);
        if (r.keyHash() != null) {
            b.append(JSON_KEY_HASH).escaped(r.keyHash()).append(FIELD_END);
        }
        if (r.fence() > 0) {
            b.append(JSON_FENCE).number(r.fence()).append(FIELD_END);
        }
        b.append(JSON_ROUTE).escaped(r.route());
        b.append(JSON_METHOD).escaped(r.method());
        b.append(JSON_PATH).escaped(r.path());
        b.append(JSON_STATUS).number(r.status());
        b.append(JSON_OUTCOME).escaped(r.outcome());
        b.append(JSON_UPSTREAM);
        millis(b, r.upstreamNanos());
        b.append(JSON_DURATION);
        millis(b, r.totalNanos());
        b.append(JSON_CLIENT).escaped(r.client());
        b.append(JSON_PROTOCOL).escaped(r.protocol());
        b.append(JSON_MESSAGE).escaped(r.method()).append((byte) ' ').escaped(r.path()).append((byte) ' ')
                .number(r.status()).append(JSON_END);
    }

    /** {@code yyyy-MM-dd'T'HH:mm:ss.SSSXXX}, as the text layout; the second is formatted once per second. */
    private void timestamp(LineBuffer b, long epochMillis) {
        long s = Math.floorDiv(epochMillis, 1000);
        if (s != second) {
            Instant at = Instant.ofEpochSecond(s);
            secondText = LineBuffer.ascii(SECOND.format(at));
            zoneText = LineBuffer.ascii(ZONE.format(at));
            second = s;
        }
        b.append(secondText).append((byte) '.').padded((int) Math.floorMod(epochMillis, 1000L), 3).append(zoneText);
    }

    /** Milliseconds with three decimals, or {@code -} for a negative (absent) time. */
    static void millis(LineBuffer b, long nanos) {
        if (nanos < 0) {
            b.append((byte) '-');
            return;
        }
        long micros = (nanos + 500) / 1000;
        b.number(micros / 1000).append((byte) '.').padded((int) (micros % 1000), 3);
    }
}
