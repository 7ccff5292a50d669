package io.idemgate.loadtest.upstream;

import io.idemgate.loadtest.history.Execution;
import io.idemgate.loadtest.history.HistoryWriter;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The demo API's semantics, free of I/O: {@code POST} creates a resource and records the execution
 * in the {@link Ledger}; other methods echo; {@code /stats} endpoints read or reset the ledger.
 * Thread-safe.
 */
final class LedgerApi {

    private final Ledger ledger;
    private final String keyHeader;
    private final String fenceHeader;
    private final boolean rejectStaleFences;
    private final HistoryWriter history;
    private final AtomicLong sequence = new AtomicLong();

    LedgerApi(Ledger ledger, String keyHeader, String fenceHeader, boolean rejectStaleFences, HistoryWriter history) {
        this.ledger = ledger;
        this.keyHeader = keyHeader;
        this.fenceHeader = fenceHeader;
        this.rejectStaleFences = rejectStaleFences;
        this.history = history;
    }

    /** {@code /stats} and below: control endpoints, answered at once with no fault injection. */
    static boolean isControl(ReceivedRequest r) {
        String path = r.path();
        return path.equals("/stats") || path.startsWith("/stats/");
    }

    Reply control(ReceivedRequest r) {
        String path = r.path();
        HttpMethod m = r.method();
        if (path.equals("/stats") && m.equals(HttpMethod.GET)) {
            return Reply.of(HttpResponseStatus.OK, ledger.statsJson());
        }
        if (path.equals("/stats/keys") && m.equals(HttpMethod.GET)) {
            return keyStats(r);
        }
        if (path.equals("/stats/executions") && m.equals(HttpMethod.GET)) {
            return executionCounts(r);
        }
        if (path.equals("/stats/reset") && m.equals(HttpMethod.POST)) {
            ledger.reset();
            return Reply.of(HttpResponseStatus.OK, "{\"reset\":true}");
        }
        return Reply.of(HttpResponseStatus.NOT_FOUND,
                "{\"error\":\"not_found\",\"detail\":\"control endpoints: GET /stats, GET /stats/keys?key=K, "
                        + "GET /stats/executions?key=K1&key=K2..., POST /stats/reset\"}");
    }

    private Reply keyStats(ReceivedRequest r) {
        List<String> keys = new QueryStringDecoder(r.uri()).parameters().get("key");
        if (keys == null || keys.isEmpty()) {
            return Reply.of(HttpResponseStatus.BAD_REQUEST, "{\"error\":\"missing_key\",\"detail\":\"use /stats/keys?key=K\"}");
        }
        String key = normaliseKey(keys.get(0));
        return ledger.lookup(key)
                .map(k -> Reply.of(HttpResponseStatus.OK,
                        "{\"key\":" + Json.quote(key) + ",\"executions\":" + k.executions() + ",\"first_body\":" + k.firstBody() + "}"))
                .orElseGet(() -> Reply.of(HttpResponseStatus.NOT_FOUND,
                        "{\"key\":" + Json.quote(key) + ",\"executions\":0,\"first_body\":null}"));
    }

    /**
     * The bulk form the load generator verifies with: {@code {"executions":{"K1":1,"K2":0}}} for
     * every {@code key} parameter, in order, unknown keys counting 0.
     */
    private Reply executionCounts(ReceivedRequest r) {
        List<String> keys = new QueryStringDecoder(r.uri()).parameters().getOrDefault("key", List.of());
        StringBuilder out = new StringBuilder(32 + keys.size() * 24).append("{\"executions\":{");
        for (int i = 0; i < keys.size(); i++) {
            String key = normaliseKey(keys.get(i));
            out.append(i == 0 ? "" : ",").append(Json.quote(key)).append(':')
                    .append(ledger.lookup(key).map(Ledger.KeyRecord::executions).orElse(0L));
        }
        return Reply.of(HttpResponseStatus.OK, out.append("}}").toString());
    }

    /** Executes the request: POST creates and is recorded; everything else echoes. */
    Reply execute(ReceivedRequest r) {
        return r.method().equals(HttpMethod.POST) ? create(r) : echo(r);
    }

    private Reply create(ReceivedRequest r) {
        String key = normaliseKey(r.headers().get(keyHeader));
        long fence = fence(r.headers().get(fenceHeader));
        boolean accepted;
        if (history != null && key != null) {
            // The file's order must be the order fences were judged in: the checker reads it as arrival order.
            synchronized (history) {
                accepted = admit(key, fence);
                new Execution(key, fence, HistoryWriter.nowMicros(), accepted).writeTo(history);
            }
        } else {
            accepted = admit(key, fence);
        }
        if (!accepted) {
            ledger.countStaleFence();
            return Reply.of(HttpResponseStatus.CONFLICT, "{\"error\":\"stale_fence\",\"fence\":" + fence + "}");
        }
        String id = "ord_" + randomPrefix() + Long.toString(sequence.incrementAndGet(), 36);
        String path = r.path();
        String body = "{\"id\":" + Json.quote(id)
                + ",\"path\":" + Json.quote(path)
                + ",\"received_bytes\":" + r.bodyBytes()
                + ",\"idempotency_key\":" + Json.quote(key)
                + ",\"created_at\":" + Json.quote(Instant.now().toString())
                + "}";
        ledger.recordExecution(key, body);
        String location = (path.endsWith("/") ? path : path + "/") + id;
        return new Reply(HttpResponseStatus.CREATED, location, body);
    }

    private static Reply echo(ReceivedRequest r) {
        StringBuilder headers = new StringBuilder("{");
        for (String name : r.headers().names()) {
            if (headers.length() > 1) {
                headers.append(',');
            }
            // Repeated headers are joined, so each name appears once and the JSON stays unambiguous.
            headers.append(Json.quote(name.toLowerCase())).append(':').append(Json.quote(String.join(", ", r.headers().getAll(name))));
        }
        headers.append('}');
        return Reply.of(HttpResponseStatus.OK, "{\"method\":" + Json.quote(r.method().name())
                + ",\"uri\":" + Json.quote(r.uri())
                + ",\"path\":" + Json.quote(r.path())
                + ",\"received_bytes\":" + r.bodyBytes()
                + ",\"headers\":" + headers + "}");
    }

    /** Whether the request may execute; a stale attempt racing its successor is refused whichever arrives second. */
    private boolean admit(String key, long fence) {
        return key == null || fence < 0 || ledger.observeFence(key, fence) || !rejectStaleFences;
    }

    /** The fencing number, or -1 when the request carries none (or not a number). */
    static long fence(String raw) {
        if (raw == null) {
            return -1;
        }
        try {
            return Long.parseLong(raw.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** {@code "abc"} (RFC 8941 sf-string, as the IETF draft writes it) and {@code abc} count as one key. */
    static String normaliseKey(String raw) {
        if (raw == null) {
            return null;
        }
        String k = raw.trim();
        return k.length() >= 2 && k.startsWith("\"") && k.endsWith("\"") ? k.substring(1, k.length() - 1) : k;
    }

    private static String randomPrefix() {
        // The sequence makes ids unique (the prefix has a fixed width); the prefix makes them look like a real API's.
        long r = ThreadLocalRandom.current().nextLong(36L * 36 * 36 * 36 * 36 * 36);
        String s = Long.toString(r, 36);
        return "0".repeat(6 - s.length()) + s;
    }
}
