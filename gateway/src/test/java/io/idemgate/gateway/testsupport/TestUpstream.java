package io.idemgate.gateway.testsupport;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP/1.1 upstream on 127.0.0.1 and a free port, programmable per test with a
 * {@link Behaviour} (default {@link Behaviour#echo()}). It records every request it receives and
 * counts accepted connections, so tests can assert what reached the upstream and whether
 * connections were reused. Keep-alive is supported; pipelined requests are not.
 *
 * <pre>{@code
 * try (TestUpstream upstream = TestUpstream.start()) {
 *     upstream.handle(Behaviour.respond(201, "created"));
 *     ... send through the gateway ...
 *     assertThat(upstream.awaitRequests(1, Duration.ofSeconds(5))).hasSize(1);
 * }
 * }</pre>
 */
public final class TestUpstream implements AutoCloseable {

    /** Request bodies up to this size are kept whole in {@link ReceivedRequest#body()}. */
    public static final int KEPT_BODY_LIMIT = 1024 * 1024;

    private final EventLoopGroup group;
    private final Channel serverChannel;
    private final ChannelGroup connections = new DefaultChannelGroup("test-upstream", GlobalEventExecutor.INSTANCE);
    private final AtomicInteger connectionsAccepted = new AtomicInteger();
    private final List<ReceivedRequest> requests = new ArrayList<>(); // guarded by itself
    private volatile Behaviour behaviour = Behaviour.echo();

    private TestUpstream() {
        group = new MultiThreadIoEventLoopGroup(2, new DefaultThreadFactory("test-upstream", true), NioIoHandler.newFactory());
        try {
            serverChannel = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            connectionsAccepted.incrementAndGet();
                            connections.add(ch);
                            ch.pipeline()
                                    .addLast("http-codec", new HttpServerCodec())
                                    .addLast("expect-continue", new HttpServerExpectContinueHandler())
                                    .addLast("test-upstream", new TestUpstreamHandler(TestUpstream.this));
                        }
                    })
                    .bind("127.0.0.1", 0).syncUninterruptibly().channel();
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    public static TestUpstream start() {
        return new TestUpstream();
    }

    /** Sets what the upstream does with requests whose head arrives from now on. */
    public TestUpstream handle(Behaviour newBehaviour) {
        this.behaviour = Objects.requireNonNull(newBehaviour, "behaviour");
        return this;
    }

    /** Sets the behaviour for requests from now on and forgets those received so far: a fresh start for a test. */
    public TestUpstream reset(Behaviour newBehaviour) {
        handle(newBehaviour);
        clearRequests();
        return this;
    }

    Behaviour behaviour() {
        return behaviour;
    }

    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    public String url() {
        return "http://127.0.0.1:" + port();
    }

    public int connectionsAccepted() {
        return connectionsAccepted.get();
    }

    /** Connections open right now (a closed one leaves the group by itself). */
    public int openConnections() {
        return connections.size();
    }

    public int requestCount() {
        synchronized (requests) {
            return requests.size();
        }
    }

    /** Forgets the requests received so far, so a test sees only its own. */
    public void clearRequests() {
        synchronized (requests) {
            requests.clear();
        }
    }

    /** Every request received so far, in arrival order (a snapshot). */
    public List<ReceivedRequest> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    /**
     * Waits until at least {@code n} requests have been received and returns them all.
     *
     * @throws AssertionError if they did not arrive within {@code timeout}
     */
    public List<ReceivedRequest> awaitRequests(int n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (requests) {
            while (requests.size() < n) {
                long leftMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (leftMs <= 0) {
                    throw new AssertionError("expected " + n + " request(s) at the test upstream within " + timeout
                            + ", got " + requests.size() + ": " + requests);
                }
                requests.wait(leftMs);
            }
            return List.copyOf(requests);
        }
    }

    void record(ReceivedRequest request) {
        synchronized (requests) {
            requests.add(request);
            requests.notifyAll();
        }
    }

    /** Closes the listener and every open connection, then stops the event loops; bounded. */
    @Override
    public void close() {
        serverChannel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        connections.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }
}
