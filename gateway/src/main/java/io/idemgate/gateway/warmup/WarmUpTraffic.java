package io.idemgate.gateway.warmup;

import io.idemgate.gateway.transport.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * The warm-up's clients: keep-alive HTTP/1.1 connections to the private gateway, each sending its next
 * request as soon as the last is answered, until the deadline. Some connections send pass-through requests
 * shaped as clients send them (a load generator's bare POST, an SDK's POST with User-Agent and Accept, now
 * and then a GET), on paths like real ones; when the real config has an idempotent route, the others come
 * in pairs that send the same keys at about the same time, each key twice: so the idempotent path sees
 * firsts, duplicates of a first in flight (they wait, then replay) and replays. Without one, every
 * connection passes through: the JIT profiles what the real traffic will do, not a path it will never take.
 * The clients stop at the bound, or earlier once the JIT has settled.
 * Every body is the same 200-byte JSON, so a key never meets a different payload (that would be a 422,
 * logged as a refusal). Raw bytes, no HTTP codec ({@link HttpBytes} says why).
 */
final class WarmUpTraffic {

    static final int PASS_CONNECTIONS = 4;
    static final int IDEMPOTENT_PAIRS = 2;
    private static final String BODY = "{\"sku\":\"tea-0001\",\"qty\":1,\"amount\":4200,\"currency\":\"EUR\","
            + "\"customer\":\"cus_000000000001\",\"note\":\"warm-up payload, two hundred bytes of JSON in all\","
            + "\"pad\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}";
    private static final AsciiString REPLAYED = AsciiString.cached("idempotent-replayed");
    private static final AsciiString CONNECTION = AsciiString.cached("connection");
    private static final AsciiString CLOSE = AsciiString.cached("close");
    private static final long CLOSE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** Traffic runs at least this long (unless the bound is shorter), whatever the JIT seems to do. */
    private static final long MIN_TRAFFIC_NANOS = TimeUnit.SECONDS.toNanos(1);
    /**
     * Nor before this many requests: a JIT idle on a starved machine may not have seen the hot methods often
     * enough yet. C2 takes a method after some thousands of calls, more while its queue is long (its
     * thresholds scale with the queue), and the port opened after 10,000 still saw C2 compile dozens of the
     * request path's methods a second (docs/performance.md, "what the JIT does after the port opens").
     */
    private static final long MIN_REQUESTS = 30_000;

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
    private final boolean idempotentRoutes;

    /** @param idempotentRoutes whether the real config has a route with idempotency on: only then is it warmed */
    WarmUpTraffic(boolean idempotentRoutes) {
        this.idempotentRoutes = idempotentRoutes;
    }

    /**
     * Sends for {@code bound}, or less once the JIT has settled (see {@link JitActivity}); returns when every
     * connection has closed.
     */
    void run(Transport transport, EventLoopGroup loops, int port, Duration bound) throws InterruptedException {
        long start = System.nanoTime();
        deadlineNanos = start + bound.toNanos();
        String host = "127.0.0.1:" + port;
        List<Conversation> conversations = new ArrayList<>();
        int passConnections = idempotentRoutes ? PASS_CONNECTIONS : PASS_CONNECTIONS + 2 * IDEMPOTENT_PAIRS;
        for (int i = 0; i < passConnections; i++) {
            conversations.add(new Conversation(host, -1, i));
        }
        for (int pair = 0; idempotentRoutes && pair < IDEMPOTENT_PAIRS; pair++) {
            conversations.add(new Conversation(host, pair, 0));
            conversations.add(new Conversation(host, pair, 1));
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
                                ch.pipeline().addLast(c);
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

    /**
     * One connection's requests, written as bytes and their answers read as bytes. Not sharable: each connection
     * has its own position in its key sequence and its own partly read answer.
     */
    private final class Conversation extends ChannelInboundHandlerAdapter {

        private final String host;
        private final int pair; // -1: pass-through
        private long round;
        private boolean replayNext;
        private boolean awaiting;
        private ByteBuf pending;
        /** Which request shape comes next; connections start at different ones. */
        private int shape;

        Conversation(String host, int pair, int first) {
            this.host = host;
            this.pair = pair;
            this.shape = first;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            send(ctx);
            super.channelActive(ctx);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf in = (ByteBuf) msg;
            try {
                if (pending == null) {
                    pending = ctx.alloc().buffer(Math.max(1024, in.readableBytes()));
                }
                pending.writeBytes(in);
            } finally {
                in.release();
            }
            int from = pending.readerIndex();
            int headEnd = HttpBytes.headEnd(pending, from);
            if (headEnd < 0) {
                return;
            }
            int end = headEnd + HttpBytes.contentLength(pending, from, headEnd);
            if (pending.writerIndex() < end) {
                return;
            }
            int status = HttpBytes.status(pending, from);
            boolean replay = HttpBytes.hasHeader(pending, from, headEnd, REPLAYED);
            boolean close = HttpBytes.hasHeader(pending, from, headEnd, CONNECTION, CLOSE);
            pending.readerIndex(end); // consumed before answered() may close the channel
            pending.discardSomeReadBytes();
            answered(ctx, status, replay, close);
        }

        private void answered(ChannelHandlerContext ctx, int status, boolean replay, boolean close) {
            awaiting = false;
            (pair < 0 ? passThrough : idempotent).increment();
            if (status / 100 != 2) {
                failure("status " + status + (pair < 0 ? " on pass-through" : " on idempotent"));
            } else if (replay) {
                replayed.increment();
            }
            if (System.nanoTime() - deadlineNanos < 0 && !close) {
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
        public void handlerRemoved(ChannelHandlerContext ctx) {
            if (pending != null) {
                pending.release();
                pending = null;
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            failure(cause.toString());
            awaiting = false;
            ctx.close();
        }

        private void send(ChannelHandlerContext ctx) {
            String request = pair < 0 ? passThrough() : idempotent();
            awaiting = true;
            ctx.writeAndFlush(ctx.alloc().buffer(request.length())
                    .writeBytes(request.getBytes(StandardCharsets.US_ASCII)), ctx.voidPromise());
        }

        /** In turn: a load generator's bare POST, an SDK's POST, the bare POST again, a GET. */
        private String passThrough() {
            int s = shape++ & 3;
            if (s == 3) {
                return "GET " + PrivateGatewayConfig.PASS_PATH + "/ord_0000000001 HTTP/1.1\r\nHost: " + host
                        + "\r\nUser-Agent: warm-up\r\nAccept: application/json\r\n\r\n";
            }
            return s == 1
                    ? "POST " + PrivateGatewayConfig.PASS_PATH + " HTTP/1.1\r\nHost: " + host
                    + "\r\nUser-Agent: warm-up\r\nAccept: */*\r\nContent-Type: application/json\r\nContent-Length: "
                    + BODY.length() + "\r\n\r\n" + BODY
                    : "POST " + PrivateGatewayConfig.PASS_PATH + " HTTP/1.1\r\nHost: " + host
                    + "\r\nContent-Length: " + BODY.length() + "\r\nContent-Type: application/json\r\n\r\n" + BODY;
        }

        private String idempotent() {
            // Both connections of a pair walk the same keys: whichever comes first executes, the other
            // waits for it or replays; then each sends the key once more, a replay.
            String request = "POST " + PrivateGatewayConfig.IDEMPOTENT_PATH + " HTTP/1.1\r\nHost: " + host
                    + "\r\nContent-Type: application/json\r\nIdempotency-Key: warm-up-" + pair + "-" + round
                    + "\r\n" + PrivateGatewayConfig.SCOPE_HEADER + ": Bearer warm-up-" + pair
                    + "\r\nContent-Length: " + BODY.length() + "\r\n\r\n" + BODY;
            if (replayNext) {
                round++;
            }
            replayNext = !replayNext;
            return request;
        }
    }
}
