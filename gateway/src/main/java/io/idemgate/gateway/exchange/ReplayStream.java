package io.idemgate.gateway.exchange;

import io.idemgate.gateway.http.ReplayResponses;
import io.idemgate.gateway.idempotency.StoredBody;
import io.idemgate.gateway.idempotency.StoredResponse;
import io.idemgate.gateway.metrics.GatewayMetrics;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import java.util.function.Consumer;

/**
 * Replays a stored body of several chunks: the head (Content-Length = the whole body), then one chunk
 * at a time, fetched from the store only while the client channel is writable. A slow client therefore
 * holds the gateway to about one chunk plus the channel's high-water mark, whatever the body's size.
 *
 * <p>A chunk that cannot be fetched (record expired or purged mid-replay, store down) closes the
 * connection: the head promised a length, and a wrong or short body must never look complete. Such
 * failures count in {@code idemgate_store_errors_total{operation="body_chunk"}}; every fetch is timed in
 * {@code idemgate_store_operation_seconds{operation="body_chunk"}}.
 *
 * <p>Threading: the client channel's event loop; fetch answers hop back to it. Owns no ByteBuf between
 * chunks (each is wrapped and written at once).
 */
final class ReplayStream implements LocalResponse {

    static final String OPERATION = "body_chunk";

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

    ReplayStream(String route, StoredResponse stored, GatewayMetrics metrics) {
        this.route = route;
        this.head = ReplayResponses.head(stored);
        this.body = stored.body();
        this.metrics = metrics;
    }

    @Override
    public HttpHeaders headers() {
        return head.headers();
    }

    @Override
    public void send(ChannelHandlerContext ctx, Consumer<Boolean> done) {
        this.ctx = ctx;
        this.done = done;
        ctx.write(head).addListener(f -> {
            if (!f.isSuccess()) {
                finish(false);
            }
        });
        fetchNext();
    }

    @Override
    public void onWritabilityChanged(boolean writable) {
        if (writable) {
            fetchNext();
        }
    }

    @Override
    public void abandon() {
        finished = true;
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
