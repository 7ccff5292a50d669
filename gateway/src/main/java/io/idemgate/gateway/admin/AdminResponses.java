package io.idemgate.gateway.admin;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.idemgate.gateway.http.Problem;
import io.idemgate.gateway.http.ProblemResponses;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Builds the admin port's responses: JSON, text, and problem+json (through {@link ProblemResponses} where it can). */
public final class AdminResponses {

    public static final String JSON = "application/json";
    private static final JsonFactory JSON_FACTORY = new JsonFactory();

    /** Writes one JSON document. */
    @FunctionalInterface
    public interface JsonWriter {
        void write(JsonGenerator g) throws IOException;
    }

    private AdminResponses() {
    }

    public static FullHttpResponse json(ByteBufAllocator alloc, HttpResponseStatus status, JsonWriter writer) {
        return withBody(status, JSON, write(alloc, out -> {
            try (JsonGenerator g = JSON_FACTORY.createGenerator(out)) {
                writer.write(g);
            }
        }));
    }

    public static FullHttpResponse text(ByteBufAllocator alloc, HttpResponseStatus status, String contentType, String body) {
        ByteBuf buf = alloc.buffer(body.length());
        buf.writeCharSequence(body, StandardCharsets.UTF_8);
        return withBody(status, contentType, buf);
    }

    /** Writes a body through an {@link OutputStream}; the buffer is released if the writer fails. */
    public static ByteBuf write(ByteBufAllocator alloc, StreamWriter writer) {
        ByteBuf buf = alloc.buffer(512);
        try (OutputStream out = new ByteBufOutputStream(buf)) {
            writer.write(out);
            return buf;
        } catch (IOException e) {
            buf.release();
            throw new UncheckedIOException(e);
        } catch (RuntimeException | Error e) {
            buf.release();
            throw e;
        }
    }

    /** Writes to a stream. */
    @FunctionalInterface
    public interface StreamWriter {
        void write(OutputStream out) throws IOException;
    }

    /** Takes ownership of {@code body}. */
    public static FullHttpResponse withBody(HttpResponseStatus status, String contentType, ByteBuf body) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .set(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes())
                .set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        return response;
    }

    public static FullHttpResponse problem(ByteBufAllocator alloc, Problem problem, String detail) {
        return ProblemResponses.build(alloc, problem, detail);
    }
}
