package io.idemgate.gateway.admin;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A decoded admin request, detached from Netty's reference-counted message so handlers cannot leak it.
 *
 * @param path the decoded path without query
 * @param params decoded query parameters, in order of appearance
 * @param body a copy of the (small, bounded) request body
 * @param alloc the connection's allocator, for building the response
 */
public record AdminRequest(
        HttpMethod method,
        String path,
        Map<String, List<String>> params,
        HttpHeaders headers,
        byte[] body,
        ByteBufAllocator alloc) {

    /** The first value of a query parameter. */
    public Optional<String> param(String name) {
        List<String> values = params.get(name);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    public String bodyAsString() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
