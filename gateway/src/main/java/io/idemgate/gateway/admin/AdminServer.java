package io.idemgate.gateway.admin;

import io.idemgate.gateway.config.AdminConfig;
import io.idemgate.gateway.tls.ServerTls;
import io.idemgate.gateway.transport.CannotListenException;
import io.idemgate.gateway.transport.PipelineNames;
import io.idemgate.gateway.transport.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The admin listener of SPEC §4 (metrics, health, routes, and the token-protected endpoints). It runs on an
 * event loop group the caller owns; {@link #stop()} closes the listener and its connections, not the group.
 */
public final class AdminServer {

    static final int MAX_REQUEST_BODY = 64 * 1024;
    static final int IDLE_TIMEOUT_SECONDS = 60;

    private final AdminConfig config;
    private final Transport transport;
    private final EventLoopGroup group;
    private final AdminEndpoints endpoints;
    private final BearerTokenCheck tokenCheck;
    private final ChannelGroup connections = new DefaultChannelGroup("idemgate-admin", GlobalEventExecutor.INSTANCE);
    private Channel serverChannel;
    private final ServerTls tls; // null: cleartext

    public AdminServer(AdminConfig config, Transport transport, EventLoopGroup group, AdminEndpoints endpoints) {
        this(config, transport, group, endpoints, null);
    }

    /** @param tls the admin listener's certificate ({@code admin.tls}), or null for cleartext */
    public AdminServer(AdminConfig config, Transport transport, EventLoopGroup group, AdminEndpoints endpoints,
                       ServerTls tls) {
        this.tls = tls;
        this.config = config;
        this.transport = transport;
        this.group = group;
        this.endpoints = endpoints;
        this.tokenCheck = new BearerTokenCheck(config.token());
    }

    /**
     * Binds and waits until bound.
     *
     * @return the bound port (the ephemeral one when the configured port is 0)
     * @throws IllegalStateException when the address cannot be bound
     */
    public synchronized int start() {
        if (serverChannel != null) {
            throw new IllegalStateException("admin server already started");
        }
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannelType())
                .option(ChannelOption.SO_BACKLOG, 128)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        connections.add(ch);
                        ChannelPipeline p = ch.pipeline();
                        if (tls != null) {
                            p.addLast(PipelineNames.Admin.TLS, tls.newHandler(ch.alloc()));
                        }
                        addCodec(p);
                        addTimeouts(p);
                        addAggregator(p);
                        addDispatcher(p);
                    }
                });
        ChannelFuture bind = bootstrap.bind(config.host(), config.port()).awaitUninterruptibly();
        if (!bind.isSuccess()) {
            throw new CannotListenException("admin", config.host(), config.port(), "idemgate.admin", "IDEMGATE_ADMIN_",
                    bind.cause());
        }
        serverChannel = bind.channel();
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    private void addCodec(ChannelPipeline p) {
        p.addLast(PipelineNames.Admin.CODEC, new HttpServerCodec());
    }

    private void addTimeouts(ChannelPipeline p) {
        p.addLast(PipelineNames.Admin.IDLE, new IdleStateHandler(0, 0, IDLE_TIMEOUT_SECONDS, TimeUnit.SECONDS));
    }

    private void addAggregator(ChannelPipeline p) {
        p.addLast(PipelineNames.Admin.AGGREGATOR, new AdminRequestAggregator(MAX_REQUEST_BODY));
    }

    private void addDispatcher(ChannelPipeline p) {
        p.addLast(PipelineNames.Admin.HANDLER, new AdminRequestHandler(endpoints, tokenCheck));
    }

    /** Stops listening and closes every admin connection; waits for both. Safe to call more than once. */
    public synchronized void stop() {
        if (serverChannel != null) {
            serverChannel.close().awaitUninterruptibly();
            serverChannel = null;
        }
        connections.close().awaitUninterruptibly();
    }
}
