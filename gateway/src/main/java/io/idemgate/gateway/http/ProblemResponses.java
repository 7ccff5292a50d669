package io.idemgate.gateway.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Builds the {@code application/problem+json} responses of {@link Problem}. The detail is ours, never
 * upstream or stored data, so nothing of another scope can leak through it.
 */
public final class ProblemResponses {

    public static final String CONTENT_TYPE = "application/problem+json";
    private static final JsonFactory JSON = new JsonFactory();

    private ProblemResponses() {
    }

    /** A response with {@code Content-Length} set; the caller decides on {@code Connection} and extra headers. */
    public static FullHttpResponse build(ByteBufAllocator alloc, Problem problem, String detail) {
        return build(alloc, problem, detail, java.util.Map.of());
    }

    /**
     * @param extensions RFC 9457 §3.2 extension members a client can act on (string, number or boolean
     *                   values), written after the standard members in the map's order
     */
    public static FullHttpResponse build(ByteBufAllocator alloc, Problem problem, String detail,
                                         java.util.Map<String, Object> extensions) {
        ByteBuf body = alloc.buffer(256);
        boolean done = false;
        try (JsonGenerator g = JSON.createGenerator((java.io.OutputStream) new ByteBufOutputStream(body))) {
            g.writeStartObject();
            g.writeStringField("type", problem.type());
            g.writeStringField("title", problem.title());
            g.writeNumberField("status", problem.status());
            g.writeStringField("detail", detail);
            for (var e : extensions.entrySet()) {
                if (e.getValue() instanceof Boolean b) {
                    g.writeBooleanField(e.getKey(), b);
                } else if (e.getValue() instanceof Number n) {
                    g.writeNumberField(e.getKey(), n.longValue());
                } else {
                    g.writeStringField(e.getKey(), String.valueOf(e.getValue()));
                }
            }
            g.writeEndObject();
            done = true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (!done) {
                body.release();
            }
        }
        FullHttpResponse response = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(problem.status()), body);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, CONTENT_TYPE)
                .set(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes())
                .set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        return response;
    }
}
