package io.idemgate.loadtest.fault;

import io.idemgate.loadtest.upstream.NettyTransport;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A TCP proxy that injects faults chosen at runtime: added latency, limited bandwidth, a blackhole (accept, forward
 * nothing either way, hold everything until it is lifted: a partition), and a reset of every open connection. Put
 * between the gateway and Redis, or the gateway and its upstream; {@link ProxyControl} switches the faults.
 * Thread-safe: the faults are one volatile value, each connection stays on its own event loop.
 */
public final class FaultProxy implements AutoCloseable {

    private final String targetHost;
    private final int targetPort;
    private final NettyTransport transport = NettyTransport.detect();
    private final EventLoopGroup group;
    private final Channel server;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong resets = new AtomicLong();
    private final LongAdder bytes = new LongAdder();
    private volatile Faults faults = Faults.NONE;

    private FaultProxy(String listenHost, int listenPort, String targetHost, int targetPort, int threads) {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.group = transport.newEventLoopGroup(threads, "fault-proxy");
        ServerBootstrap b = new ServerBootstrap().group(group).channel(transport.serverChannelType())
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.AUTO_READ, false) // read only once the target is connected
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        Connection c = new Connection(FaultProxy.this);
                        c.bindClient(ch);
                        ch.pipeline().addLast("pipe", c.clientSide());
                    }
                });
        try {
            this.server = b.bind(listenHost, listenPort).syncUninterruptibly().channel();
        } catch (Exception e) { // a failed bind arrives as a (sneakily thrown) checked exception
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    /** Listens on {@code listenHost:listenPort} (0 = any free port) and forwards to {@code targetHost:targetPort}. */
    public static FaultProxy start(String listenHost, int listenPort, String targetHost, int targetPort) {
        return new FaultProxy(listenHost, listenPort, targetHost, targetPort, 1);
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    public Faults faults() {
        return faults;
    }

    /** Applies new faults to every connection, open or future. */
    public void set(Faults f) {
        this.faults = f;
        for (Connection c : connections) {
            c.client().eventLoop().execute(c::resume);
        }
    }

    /** Resets (RST) every open connection in scope, both ends; new connections are accepted as before. */
    public int resetAll() {
        int n = 0;
        for (Connection c : connections) {
            if (c.inScope(faults)) {
                c.client().eventLoop().execute(c::reset);
                n++;
            }
        }
        resets.addAndGet(n);
        return n;
    }

    public int openConnections() {
        return connections.size();
    }

    public long acceptedConnections() {
        return accepted.get();
    }

    public long resetConnections() {
        return resets.get();
    }

    public long forwardedBytes() {
        return bytes.sum();
    }

    String targetHost() {
        return targetHost;
    }

    int targetPort() {
        return targetPort;
    }

    Bootstrap targetBootstrap(EventLoop loop, Pipe handler) {
        return new Bootstrap().group(loop).channel(transport.socketChannelType())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5_000)
                .handler(handler);
    }

    void register(Connection c) {
        connections.add(c);
        accepted.incrementAndGet();
    }

    void unregister(Connection c) {
        connections.remove(c);
    }

    void countBytes(int n) {
        bytes.add(n);
    }

    @Override
    public void close() {
        server.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        for (Connection c : connections) {
            c.client().eventLoop().execute(c::reset);
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }
}
