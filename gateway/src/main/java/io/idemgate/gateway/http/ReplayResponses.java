package io.idemgate.gateway.http;

import io.idemgate.gateway.idempotency.StoredResponse;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.util.Map;

/** Turns a stored response back into HTTP for a retry: the original status, headers and body, marked as a replay. */
public final class ReplayResponses {

    public static final AsciiString IDEMPOTENT_REPLAYED = AsciiString.cached("Idempotent-Replayed");
    public static final AsciiString BODY_OMITTED = AsciiString.cached("Idempotency-Body-Omitted");

    private ReplayResponses() {
    }

    public static FullHttpResponse build(StoredResponse stored) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(stored.status()), Unpooled.wrappedBuffer(stored.body()));
        HttpHeaders h = response.headers();
        for (Map.Entry<String, String> e : stored.headers()) {
            h.add(e.getKey(), e.getValue());
        }
        // The stored framing may not fit what we send now (the original may have been chunked, or its
        // body omitted): the length is always the body we replay.
        h.set(HttpHeaderNames.CONTENT_LENGTH, stored.body().length);
        h.set(IDEMPOTENT_REPLAYED, "true");
        if (stored.bodyOmitted()) {
            h.set(BODY_OMITTED, "true");
        }
        return response;
    }
}
