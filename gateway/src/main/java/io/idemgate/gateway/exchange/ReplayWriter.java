package io.idemgate.gateway.exchange;

import io.idemgate.gateway.http.ForwardedHeaders;
import io.idemgate.gateway.idempotency.StoredBody;
import io.idemgate.gateway.idempotency.StoredResponse;
import io.idemgate.gateway.metrics.GatewayMetrics;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Writes a stored response back to a retry: the original status, headers and body, marked as a replay,
 * with the gateway's response headers. The one home of the replay path.
 *
 * <p>A body of at most one chunk already in memory goes out as one message. A longer one streams: the
 * head (Content-Length = the whole body), then one chunk at a time, fetched from the store only while the
 * client channel is writable, so a slow client holds the gateway to about one chunk plus the channel's
 * high-water mark, whatever the body's size. A chunk that cannot be fetched (record expired or purged
 * mid-replay, store down) closes the connection: the head promised a length, and a short body must never
 * look complete. Such failures count in {@code idemgate_store_errors_total{operation="body_chunk"}};
 * every fetch is timed in {@code idemgate_store_operation_seconds{operation="body_chunk"}}.
 *
 * <p>Threading: the client channel's event loop; fetch answers hop back to it. Owns no ByteBuf between
 * chunks (each is wrapped and written at once).
 */
final class ReplayWriter implements LocalResponse {

    static final String OPERATION = "body_chunk";
    static final AsciiString IDEMPOTENT_REPLAYED = AsciiString.cached("Idempotent-Replayed");
    static final AsciiString BODY_OMITTED = AsciiString.cached("Idempotency-Body-Omitted");

    private final String route;
    private final HttpResponse head;
    private final StoredBody body;
    private final GatewayMetrics metrics;
    private ChannelHandlerContext ctx;
    private Consumer<Boolean> done;
    private int next;
    private long sent;
    private boolean fetching;
    private boolean finished;

    ReplayWriter(String route, StoredResponse stored, GatewayMetrics metrics, ForwardedHeaders forwarded) {
        this.route = route;
        this.head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(stored.status()));
        this.body = stored.body();
        this.metrics = metrics;
        HttpHeaders h = head.headers();
        for (Map.Entry<String, String> e : stored.headers()) {
            h.add(e.getKey(), e.getValue());
        }
        // The stored framing may not fit what we send now (the original may have been chunked, or its
        // body omitted): the length is always the body we replay.
        h.remove(HttpHeaderNames.TRANSFER_ENCODING);
        h.set(HttpHeaderNames.CONTENT_LENGTH, body.length());
        h.set(IDEMPOTENT_REPLAYED, "true");
        if (stored.bodyOmitted()) {
            h.set(BODY_OMITTED, "true");
        }
        forwarded.applyToResponse(h);
    }

    @Override
    public HttpHeaders headers() {
        return head.headers();
    }

    @Override
    public void send(ChannelHandlerContext ctx, Consumer<Boolean> done) {
        this.ctx = ctx;
        this.done = done;
        if (fitsOneMessage()) {
            sendWhole();
            return;
        }
        ctx.write(head).addListener(f -> {
            if (!f.isSuccess()) {
                finish(false);
            }
        });
        fetchNext();
    }

    @Override
    public void onWritabilityChanged(boolean writable) {
        if (writable && ctx != null) {
            fetchNext();
        }
    }

    @Override
    public void abandon() {
        finished = true;
    }

    /** The common case: a body of at most one chunk, already in memory. */
    private boolean fitsOneMessage() {
        return body.resident() && body.chunkCount() <= 1;
    }

    private void sendWhole() {
        byte[] bytes = body.chunkCount() == 0 ? null : body.chunk(0).toCompletableFuture().getNow(null);
        DefaultFullHttpResponse whole = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, head.status(),
                bytes == null ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(bytes));
        whole.headers().set(head.headers());
        finished = true;
        ctx.writeAndFlush(whole).addListener(f -> done.accept(f.isSuccess()));
    }

    /** Asks for the next chunk when none is on its way and the client can take more. */
    private void fetchNext() {
        if (finished || fetching || next >= body.chunkCount() || !ctx.channel().isWritable()) {
            return;
        }
        fetching = true;
        int index = next;
        long t0 = System.nanoTime();
        // Always hop through the executor, even for chunks in memory: no recursion through write listeners.
        body.chunk(index).whenComplete((bytes, err) -> ctx.executor().execute(() -> onChunk(bytes, err, t0)));
    }

    private void onChunk(byte[] bytes, Throwable err, long t0) {
        fetching = false;
        metrics.storeOperation(OPERATION, err == null ? "ok" : "error", System.nanoTime() - t0);
        if (err != null) {
            metrics.storeError(OPERATION);
        }
        if (finished) {
            return;
        }
        if (err != null) {
            DecisionLog.storeFailed(route, err);
            finish(false);
            return;
        }
        next++;
        sent += bytes.length;
        boolean last = next == body.chunkCount();
        if (last && sent != body.length()) {
            DecisionLog.storeFailed(route, new IllegalStateException(
                    "stored body has " + sent + " bytes, its record says " + body.length()));
            finish(false);
            return;
        }
        HttpContent content = last ? new DefaultLastHttpContent(Unpooled.wrappedBuffer(bytes))
                : new DefaultHttpContent(Unpooled.wrappedBuffer(bytes));
        ctx.writeAndFlush(content).addListener(f -> {
            if (!f.isSuccess() || last) {
                finish(f.isSuccess());
            }
        });
        fetchNext();
    }

    /** Once: tells the exchange; false makes it close the connection, so a cut body is never taken as whole. */
    private void finish(boolean written) {
        if (finished) {
            return;
        }
        finished = true;
        done.accept(written);
    }
}
