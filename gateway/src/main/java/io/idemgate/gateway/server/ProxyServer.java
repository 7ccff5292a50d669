package io.idemgate.gateway.server;

import io.idemgate.gateway.config.ServerConfig;
import io.idemgate.gateway.exchange.ClientRequestReceiver;
import io.idemgate.gateway.exchange.ExchangeServices;
import io.idemgate.gateway.tls.ServerTls;
import io.idemgate.gateway.tls.TlsProvider;
import io.idemgate.gateway.transport.CannotListenException;
import io.idemgate.gateway.transport.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client-facing listener. Owns the set of open client connections so that shutdown can stop
 * accepting, let in-flight exchanges finish within a grace period, and then close what is left.
 */
public final class ProxyServer {

    private static final Logger log = LoggerFactory.getLogger(ProxyServer.class);

    private final ServerConfig config;
    private final ExchangeServices services;
    private final Transport transport;
    private final EventLoopGroup group;
    private final ServerTls tls; // null: cleartext
    private final ChannelGroup connections = new DefaultChannelGroup("clients", GlobalEventExecutor.INSTANCE);
    private Channel listener;
    private final boolean announce;

    /** @param tls the listener's certificate, or null to serve cleartext */
    public ProxyServer(ServerConfig config, ExchangeServices services, Transport transport, EventLoopGroup group,
                       ServerTls tls) {
        this(config, services, transport, group, tls, true);
    }

    /** @param announce false for a private listener (the warm-up's): its binding is logged at DEBUG only */
    public ProxyServer(ServerConfig config, ExchangeServices services, Transport transport, EventLoopGroup group,
                       ServerTls tls, boolean announce) {
        this.announce = announce;
        this.tls = tls;
        this.config = config;
        this.services = services;
        this.transport = transport;
        this.group = group;
    }

    /** Binds the listener; blocking, called once at start-up. @return the bound port */
    public int start() throws InterruptedException {
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannelType())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ProxyChannelInitializer(config, services, connections, tls));
        ChannelFuture bind = b.bind(config.host(), config.port()).await();
        if (!bind.isSuccess()) {
            throw new CannotListenException("proxy", config.host(), config.port(), "idemgate.server", "IDEMGATE_",
                    bind.cause());
        }
        listener = bind.channel();
        int port = ((InetSocketAddress) listener.localAddress()).getPort();
        String protocols = tls != null ? "https (h2, http/1.1; TLS " + TlsProvider.describe() + ")"
                : config.h2c() ? "http (http/1.1, h2c)" : "http (http/1.1)";
        (announce ? log.atInfo() : log.atDebug()).addKeyValue("port", port).addKeyValue("transport", transport.name()).addKeyValue("protocols", protocols)
                .log("proxy listening on {}:{}, {}", config.host(), port, protocols);
        return port;
    }

    /**
     * Stops accepting, asks every connection to close after its current exchange, and waits up to
     * {@code grace} for them. Connections still open after that are closed.
     *
     * @return true if every exchange finished within the grace period
     */
    public boolean stop(Duration grace) throws InterruptedException {
        if (listener != null) {
            listener.close().await(5, TimeUnit.SECONDS);
        }
        services.drain().start();
        for (Channel ch : connections) {
            ch.pipeline().fireUserEventTriggered(ClientRequestReceiver.DRAIN);
        }
        long deadline = System.nanoTime() + grace.toNanos();
        boolean drained = connections.newCloseFuture().await(grace.toMillis(), TimeUnit.MILLISECONDS);
        if (!drained) {
            log.warn("{} client connections still busy after the {} ms grace period; closing them",
                    connections.size(), grace.toMillis());
            connections.close().await(5, TimeUnit.SECONDS);
        }
        // Idempotent executions go on after their client left; their records must be settled before exit.
        long left = Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
        if (!services.drain().awaitIdle(left)) {
            log.warn("upstream exchanges still running after the grace period; their records stay in flight until the lease ends");
            drained = false;
        }
        return drained;
    }
}
