package io.idemgate.loadtest.waiters;

import io.idemgate.loadtest.upstream.NettyTransport;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
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
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Opens one connection per request on a single event loop and sends the same keyed POST on each as
 * soon as it connects: first one, then after the lead the duplicates, at most {@code connectBatch}
 * connects pending at a time. Every request ends as an answer or a failure in the {@link FloodTally}.
 */
final class SameKeyFlood {

    private final WaitersCommand.Options options;
    private final PrintStream out;
    private final byte[] body;
    private final FloodTally tally = new FloodTally();
    private final CountDownLatch allSent;
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private final MessageDigest sha256;
    private EventLoop loop;
    private Bootstrap bootstrap;
    private int toConnect;
    private int connecting;

    SameKeyFlood(WaitersCommand.Options options, PrintStream out) {
        this.options = options;
        this.out = out;
        this.body = ("{\"probe\":\"parked-waiters\",\"key\":\"" + options.key() + "\"}").getBytes(StandardCharsets.US_ASCII);
        this.allSent = new CountDownLatch(options.waiters() + 1);
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs the flood and blocks until every request finished or the timeout passed. */
    FloodTally run() throws InterruptedException {
        NettyTransport transport = NettyTransport.detect();
        EventLoopGroup group = transport.newEventLoopGroup(1, "waiters");
        long expected = options.waiters() + 1L;
        long t0 = System.nanoTime();
        try {
            loop = group.next();
            bootstrap = new Bootstrap().group(loop).channel(transport.socketChannelType())
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                    .handler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast("http-codec", new HttpClientCodec())
                                    .addLast("aggregator", new HttpObjectAggregator(1 << 20))
                                    .addLast("request", new OneRequest());
                        }
                    });
            loop.execute(() -> {
                toConnect = 1;
                connectMore();
            });
            loop.schedule(() -> {
                toConnect += options.waiters();
                connectMore();
            }, options.lead().toMillis(), TimeUnit.MILLISECONDS);
            loop.schedule(this::giveUp, options.timeout().toMillis(), TimeUnit.MILLISECONDS);
            if (allSent.await(options.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
                out.printf("all %d requests sent %.1f s after the first, key %s%n", expected,
                        (System.nanoTime() - t0) / 1e9, options.key());
                touchReadyFile();
            }
            try {
                done.get(options.timeout().toMillis() + 5_000, TimeUnit.MILLISECONDS);
            } catch (ExecutionException | TimeoutException e) {
                out.println("waiters: the run did not finish in time: " + e);
            }
            return tally;
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
        }
    }

    private void touchReadyFile() {
        if (options.readyFile() != null) {
            try {
                Files.writeString(Path.of(options.readyFile()), "sent\n");
            } catch (IOException e) {
                out.println("waiters: cannot write " + options.readyFile() + ": " + e);
            }
        }
    }

    private void connectMore() {
        while (toConnect > 0 && connecting < options.connectBatch()) {
            toConnect--;
            connecting++;
            bootstrap.connect(options.target().getHost(), options.port()).addListener(f -> {
                connecting--;
                if (!f.isSuccess()) {
                    allSent.countDown();
                    finish(() -> tally.failure("connect_failed"));
                }
                connectMore();
            });
        }
    }

    private void giveUp() {
        long missing = options.waiters() + 1L - tally.finished();
        for (long i = 0; i < missing; i++) {
            tally.failure("no_answer_in_time");
        }
        done.complete(null);
    }

    private void finish(Runnable record) {
        if (done.isDone()) {
            return;
        }
        record.run();
        if (tally.finished() == options.waiters() + 1L) {
            done.complete(null);
        }
    }

    private FullHttpRequest request() {
        FullHttpRequest r = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, options.requestUri(),
                Unpooled.wrappedBuffer(body));
        r.headers().set(HttpHeaderNames.HOST, options.target().getHost() + ":" + options.port())
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .set(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set("Idempotency-Key", options.key());
        return r;
    }

    /** The first 64 bits of the body's SHA-256. */
    private long hash(FullHttpResponse response) {
        sha256.update(response.content().nioBuffer());
        byte[] d = sha256.digest();
        long hash = 0;
        for (int i = 0; i < 8; i++) {
            hash = (hash << 8) | (d[i] & 0xff);
        }
        return hash;
    }

    /** One connection, one request, one answer; then the connection is closed. */
    private final class OneRequest extends SimpleChannelInboundHandler<FullHttpResponse> {

        private boolean over;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.writeAndFlush(request());
            allSent.countDown();
            ctx.fireChannelActive();
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
            if (over) {
                return;
            }
            over = true;
            long hash = hash(response);
            boolean replayed = "true".equalsIgnoreCase(response.headers().get("Idempotent-Replayed"));
            int status = response.status().code();
            finish(() -> tally.answer(status, replayed, hash));
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (!over) {
                over = true;
                finish(() -> tally.failure("connection_closed"));
            }
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
