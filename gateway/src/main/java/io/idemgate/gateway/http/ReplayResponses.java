package io.idemgate.gateway.http;

import io.idemgate.gateway.idempotency.BodyChunks;
import io.idemgate.gateway.idempotency.StoredResponse;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
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

    /** Whether the whole replay fits one message: a body of at most one chunk, already in memory. */
    public static boolean fitsOneMessage(StoredResponse stored) {
        return stored.body().resident() && stored.body().chunkCount() <= 1;
    }

    /** The whole replay in one message; only for {@link #fitsOneMessage} responses. */
    public static FullHttpResponse build(StoredResponse stored) {
        BodyChunks body = (BodyChunks) stored.body();
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(stored.status()),
                body.chunkCount() == 0 ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body.chunkNow(0)));
        copyHeaders(stored, response.headers());
        return response;
    }

    /** The head of a replay whose body follows as separate contents, chunk by chunk. */
    public static HttpResponse head(StoredResponse stored) {
        HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(stored.status()));
        copyHeaders(stored, response.headers());
        return response;
    }

    private static void copyHeaders(StoredResponse stored, HttpHeaders h) {
        for (Map.Entry<String, String> e : stored.headers()) {
            h.add(e.getKey(), e.getValue());
        }
        // The stored framing may not fit what we send now (the original may have been chunked, or its
        // body omitted): the length is always the body we replay.
        h.remove(HttpHeaderNames.TRANSFER_ENCODING);
        h.set(HttpHeaderNames.CONTENT_LENGTH, stored.body().length());
        h.set(IDEMPOTENT_REPLAYED, "true");
        if (stored.bodyOmitted()) {
            h.set(BODY_OMITTED, "true");
        }
    }
}
