package io.idemgate.gateway.warmup;

import io.idemgate.gateway.transport.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * The warm-up's clients: keep-alive HTTP/1.1 connections to the private gateway, each sending its next
 * request as soon as the last is answered, until the deadline. Some connections send pass-through POSTs;
 * the others come in pairs that send the same keys at about the same time, each key twice: so the
 * idempotent path sees firsts, duplicates of a first in flight (they wait, then replay) and replays.
 * The clients stop at the bound, or earlier once the JIT has settled.
 * Every body is the same 200-byte JSON, so a key never meets a different payload (that would be a 422,
 * logged as a refusal).
 */
final class WarmUpTraffic {

    static final int PASS_CONNECTIONS = 4;
    static final int IDEMPOTENT_PAIRS = 2;
    private static final byte[] BODY = ("{\"sku\":\"tea-0001\",\"qty\":1,\"amount\":4200,\"currency\":\"EUR\","
            + "\"customer\":\"cus_000000000001\",\"note\":\"warm-up payload, two hundred bytes of JSON in all\","
            + "\"pad\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}").getBytes(StandardCharsets.US_ASCII);
    private static final String REPLAYED = "Idempotent-Replayed";
    private static final long CLOSE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** Traffic runs at least this long (unless the bound is shorter), whatever the JIT seems to do. */
    private static final long MIN_TRAFFIC_NANOS = TimeUnit.SECONDS.toNanos(1);
    /**
     * Nor before this many requests: a JIT idle on a starved machine may not have seen the hot methods often
     * enough yet (C2 takes a method after some thousands of calls).
     */
    private static final long MIN_REQUESTS = 10_000;

    final LongAdder passThrough = new LongAdder();
    final LongAdder idempotent = new LongAdder();
    final LongAdder replayed = new LongAdder();
    final LongAdder failed = new LongAdder();
    /** The first failure seen, for the log line. */
    final AtomicReference<String> firstFailure = new AtomicReference<>();

    /** When the clients stop sending (System.nanoTime()); moved earlier once the JIT has settled. */
    private volatile long deadlineNanos;
    private volatile boolean cut;
    /** Whether the traffic ended early because the JIT had settled. */
    volatile boolean jitSettled;

    /**
     * Sends for {@code bound}, or less once the JIT has settled (see {@link JitActivity}); returns when every
     * connection has closed.
     */
    void run(Transport transport, EventLoopGroup loops, int port, Duration bound) throws InterruptedException {
        long start = System.nanoTime();
        deadlineNanos = start + bound.toNanos();
        String host = "127.0.0.1:" + port;
        List<Conversation> conversations = new ArrayList<>();
        for (int i = 0; i < PASS_CONNECTIONS; i++) {
            conversations.add(new Conversation(host, -1));
        }
        for (int pair = 0; pair < IDEMPOTENT_PAIRS; pair++) {
            conversations.add(new Conversation(host, pair));
            conversations.add(new Conversation(host, pair));
        }
        List<Channel> channels = new ArrayList<>();
        try {
            for (Conversation c : conversations) {
                ChannelFuture connect = new Bootstrap()
                        .group(loops)
                        .channel(transport.socketChannelType())
                        .option(ChannelOption.TCP_NODELAY, true)
                        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 2000)
                        .handler(new ChannelInitializer<>() {
                            @Override
                            protected void initChannel(Channel ch) {
                                ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(1024 * 1024), c);
                            }
                        })
                        .connect("127.0.0.1", port).sync();
                channels.add(connect.channel());
            }
            JitActivity jit = new JitActivity();
            for (long now = System.nanoTime(); now - deadlineNanos < 0; now = System.nanoTime()) {
                Thread.sleep(Math.max(1, Math.min(JitActivity.POLL.toMillis(), TimeUnit.NANOSECONDS.toMillis(deadlineNanos - now))));
                if (jit.settled() && System.nanoTime() - start >= MIN_TRAFFIC_NANOS
                        && passThrough.sum() + idempotent.sum() >= MIN_REQUESTS) {
                    jitSettled = true;
                    deadlineNanos = System.nanoTime();
                }
            }
            // Answers still on their way get a moment together; then the connections are closed regardless.
            long closeBy = deadlineNanos + CLOSE_WAIT_NANOS;
            for (Channel ch : channels) {
                ch.closeFuture().await(Math.max(0, closeBy - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        } finally {
            cut = true; // an answer still missing now is not a failure of the gateway: the bound is up
            for (Channel ch : channels) {
                ch.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
            }
        }
    }

    private void failure(String what) {
        failed.increment();
        firstFailure.compareAndSet(null, what);
    }

    /** One connection's requests. Not sharable: each connection has its own position in its key sequence. */
    private final class Conversation extends SimpleChannelInboundHandler<FullHttpResponse> {

        private final String host;
        private final int pair; // -1: pass-through
        private long round;
        private boolean replayNext;
        private boolean awaiting;

        Conversation(String host, int pair) {
            this.host = host;
            this.pair = pair;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            send(ctx);
            super.channelActive(ctx);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
            awaiting = false;
            (pair < 0 ? passThrough : idempotent).increment();
            int status = response.status().code();
            if (status / 100 != 2) {
                failure("status " + status + (pair < 0 ? " on pass-through" : " on idempotent"));
            } else if (response.headers().contains(REPLAYED)) {
                replayed.increment();
            }
            if (System.nanoTime() - deadlineNanos < 0 && !response.headers().contains(HttpHeaderNames.CONNECTION,
                    HttpHeaderValues.CLOSE, true)) {
                send(ctx);
            } else {
                ctx.close();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            if (awaiting && !cut) {
                failure("connection closed before the answer");
            }
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            failure(cause.toString());
            awaiting = false;
            ctx.close();
        }

        private void send(ChannelHandlerContext ctx) {
            FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST,
                    pair < 0 ? PrivateGatewayConfig.PASS_PATH + "/orders" : PrivateGatewayConfig.IDEMPOTENT_PATH,
                    Unpooled.wrappedBuffer(BODY));
            request.headers().set(HttpHeaderNames.HOST, host)
                    .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, BODY.length);
            if (pair >= 0) {
                // Both connections of a pair walk the same keys: whichever comes first executes, the other
                // waits for it or replays; then each sends the key once more, a replay.
                request.headers().set("Idempotency-Key", "warm-up-" + pair + "-" + round)
                        .set(PrivateGatewayConfig.SCOPE_HEADER, "Bearer warm-up-" + pair);
                if (replayNext) {
                    round++;
                }
                replayNext = !replayNext;
            }
            awaiting = true;
            ctx.writeAndFlush(request, ctx.voidPromise());
        }
    }
}
