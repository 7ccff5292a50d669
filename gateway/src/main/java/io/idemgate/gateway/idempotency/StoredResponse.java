package io.idemgate.gateway.idempotency;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a completed request answered, as replayed to its retries: status, end-to-end headers in order
 * (hop-by-hop ones are never stored), and the body, unless it was over {@code max-response-body}.
 *
 * @param body the body as chunks (in memory, or fetched from the store on demand); empty when {@code bodyOmitted}
 * @param bodyOmitted the body was larger than the route's limit and is not stored; replays send none
 */
public record StoredResponse(int status, List<Map.Entry<String, String>> headers, StoredBody body, boolean bodyOmitted) {

    public StoredResponse {
        headers = List.copyOf(headers);
        Objects.requireNonNull(body, "body");
    }

    /** A response whose body is one array, split into chunks (copied). */
    public StoredResponse(int status, List<Map.Entry<String, String>> headers, byte[] body, boolean bodyOmitted) {
        this(status, headers, BodyChunks.copyOf(body), bodyOmitted);
    }
}
