package io.idemgate.gateway.testsupport;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * One request as {@link TestUpstream} received it. Header names are lower-case; the body is kept
 * only up to {@link TestUpstream#KEPT_BODY_LIMIT} bytes ({@code body == null} beyond that), but its
 * length and SHA-256 always cover all of it. {@code complete} is false when the connection closed
 * before the body ended.
 */
public record ReceivedRequest(
        String method,
        String uri,
        Map<String, List<String>> headers,
        long bodyLength,
        String bodySha256,
        byte[] body,
        boolean complete) {

    /** The first value of a header, or {@code null}. */
    public String header(String name) {
        List<String> values = headers.get(name.toLowerCase());
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    public List<String> headers(String name) {
        return headers.getOrDefault(name.toLowerCase(), List.of());
    }

    public String bodyAsString() {
        if (body == null) {
            throw new IllegalStateException("body of " + bodyLength + " bytes was not kept; compare bodySha256 instead");
        }
        return new String(body, StandardCharsets.UTF_8);
    }
}
