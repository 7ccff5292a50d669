package io.idemgate.gateway.server;

import io.idemgate.gateway.config.ServerConfig;
import io.idemgate.gateway.exchange.ClientRequestReceiver;
import io.idemgate.gateway.exchange.ExchangeServices;
import io.idemgate.gateway.exchange.RequestTimer;
import io.idemgate.gateway.transport.PipelineNames;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/** Builds each client connection's pipeline from named steps; see {@link PipelineNames.Client} for the order. */
final class ProxyChannelInitializer extends ChannelInitializer<SocketChannel> {

    private final ServerConfig config;
    private final ExchangeServices services;
    private final ChannelGroup connections;
    private final HttpDecoderConfig decoderConfig;

    ProxyChannelInitializer(ServerConfig config, ExchangeServices services, ChannelGroup connections) {
        this.config = config;
        this.services = services;
        this.connections = connections;
        this.decoderConfig = new HttpDecoderConfig()
                .setMaxInitialLineLength(config.maxInitialLineLength())
                .setMaxHeaderSize(config.maxHeaderSize())
                .setMaxChunkSize(config.maxChunkSize())
                .setValidateHeaders(true);
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        connections.add(ch);
        ChannelPipeline p = ch.pipeline();
        RequestTimer timer = addTimeouts(p);
        addCodec(p);
        addExchange(p, timer);
    }

    private RequestTimer addTimeouts(ChannelPipeline p) {
        p.addLast(PipelineNames.Client.IDLE, new IdleStateHandler(0, 0, config.idleTimeout().toMillis(), TimeUnit.MILLISECONDS));
        RequestTimer timer = new RequestTimer(config.requestHeaderTimeout(), config.requestBodyTimeout());
        p.addLast(PipelineNames.Client.REQUEST_TIMER, timer);
        return timer;
    }

    private void addCodec(ChannelPipeline p) {
        p.addLast(PipelineNames.Client.CODEC, new HttpServerCodec(decoderConfig));
    }

    private void addExchange(ChannelPipeline p, RequestTimer timer) {
        p.addLast(PipelineNames.Client.RECEIVER, new ClientRequestReceiver(services, timer));
    }
}
