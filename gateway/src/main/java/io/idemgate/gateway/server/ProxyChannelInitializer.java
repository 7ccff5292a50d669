package io.idemgate.gateway.server;

import io.idemgate.gateway.config.Http2Config;
import io.idemgate.gateway.config.ServerConfig;
import io.idemgate.gateway.exchange.ClientRequestReceiver;
import io.idemgate.gateway.exchange.ExchangeServices;
import io.idemgate.gateway.exchange.RequestTimer;
import io.idemgate.gateway.http.DecodedRequestHeaders;
import io.idemgate.gateway.http.TrailerHeaders;
import io.idemgate.gateway.metrics.GatewayMetrics;
import io.idemgate.gateway.tls.ServerTls;
import io.idemgate.gateway.transport.PipelineNames;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Builds each client connection's pipeline from named steps; see {@link PipelineNames.Client} for the order.
 * HTTPS connections choose HTTP/1.1 or HTTP/2 by ALPN after the handshake, cleartext ones with
 * {@code h2c} by their first bytes; either way each request ends in a {@link ClientRequestReceiver}.
 */
final class ProxyChannelInitializer extends ChannelInitializer<SocketChannel> {

    private final ServerConfig config;
    private final ExchangeServices services;
    private final ChannelGroup connections;
    private final ServerTls tls; // null: cleartext
    private final HttpDecoderConfig decoderConfig;
    private final TlsHandshakeCounter handshakes;

    ProxyChannelInitializer(ServerConfig config, ExchangeServices services, ChannelGroup connections, ServerTls tls) {
        this.config = config;
        this.services = services;
        this.connections = connections;
        this.tls = tls;
        this.handshakes = new TlsHandshakeCounter(services.metrics());
        this.decoderConfig = new HttpDecoderConfig()
                .setMaxInitialLineLength(config.maxInitialLineLength())
                .setMaxHeaderSize(config.maxHeaderSize())
                .setMaxChunkSize(config.maxChunkSize())
                .setValidateHeaders(true)
                // Counts Content-Length field lines before the decoder collapses them (RequestHeadRules).
                .setHeadersFactory(DecodedRequestHeaders.FACTORY)
                .setTrailersFactory(TrailerHeaders.FACTORY); // after setValidateHeaders, which resets it
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        connections.add(ch);
        ChannelPipeline p = ch.pipeline();
        // Idle by reads alone, the clock restarted when an answer has been written (ClientRequestReceiver):
        // timing writes would make IdleStateHandler turn every void write promise into a real one, a promise
        // and a listener per write. Idleness matters only between exchanges, which end once written.
        p.addLast(PipelineNames.Client.IDLE, new IdleStateHandler(config.idleTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS));
        if (tls != null) {
            p.addLast(PipelineNames.Client.TLS, tls.newHandler(ch.alloc()));
            p.addLast(PipelineNames.Client.TLS_HANDSHAKE, handshakes);
            p.addLast(PipelineNames.Client.PROTOCOL, new AlpnSwitch(this));
        } else if (config.h2c()) {
            p.addLast(PipelineNames.Client.PROTOCOL, new PrefaceSniffer(this));
        } else {
            addHttp1(p);
        }
    }

    Duration headerTimeout() {
        return config.requestHeaderTimeout();
    }

    GatewayMetrics metrics() {
        return services.metrics();
    }

    /** HTTP/1.1: request clocks, codec, receiver. */
    void addHttp1(ChannelPipeline p) {
        RequestTimer timer = new RequestTimer(config.requestHeaderTimeout(), config.requestBodyTimeout());
        p.addLast(PipelineNames.Client.REQUEST_TIMER, timer);
        p.addLast(PipelineNames.Client.CODEC, new HttpServerCodec(decoderConfig));
        p.addLast(PipelineNames.Client.RECEIVER, new ClientRequestReceiver(services, timer));
    }

    /** HTTP/2: header timer, frame codec with our limits, one child channel per stream, the connection guard. */
    void addHttp2(ChannelPipeline p) {
        Http2Config h2 = config.http2();
        Http2FrameCodec codec = Http2FrameCodecBuilder.forServer()
                .initialSettings(Http2Settings.defaultSettings()
                        .maxConcurrentStreams(h2.maxConcurrentStreams())
                        .maxHeaderListSize(h2.maxHeaderListSize())
                        .initialWindowSize(h2.initialWindowSize()))
                .validateHeaders(true)
                // Rapid reset both ways: resets the client sends, and resets it provokes us into sending.
                .decoderEnforceMaxRstFramesPerWindow(h2.maxResetsPerWindow(), seconds(h2))
                .encoderEnforceMaxRstFramesPerWindow(h2.maxResetsPerWindow(), seconds(h2))
                .encoderEnforceMaxQueuedControlFrames(h2.maxQueuedControlFrames())
                .gracefulShutdownTimeoutMillis(config.shutdownGrace().toMillis())
                .build();
        p.addLast(PipelineNames.Client.H2_HEADER_TIMER, new Http2HeaderTimer(config.requestHeaderTimeout(), services.accessLog()));
        p.addLast(PipelineNames.Client.H2_CODEC, codec);
        p.addLast(PipelineNames.Client.H2_STREAMS, new Http2MultiplexHandler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel stream) {
                addStream(stream.pipeline());
            }
        }));
        p.addLast(PipelineNames.Client.H2_GUARD, new Http2ConnectionGuard(codec, services.metrics(), config.idleTimeout()));
    }

    /**
     * One HTTP/2 stream: frames become the HTTP/1.1 parts the exchange code knows, so a stream is an
     * exchange with exactly the semantics of one HTTP/1.1 request, request-body-timeout included (its own
     * clock: one stalled stream must not depend on the connection's other traffic). Its head arrived whole
     * within the connection's header timer; the stall guard bounds a response the client will not take.
     */
    private void addStream(ChannelPipeline p) {
        RequestTimer timer = new RequestTimer(config.requestHeaderTimeout(), config.requestBodyTimeout());
        p.addLast(PipelineNames.Http2Stream.END, new Http2StreamEnd());
        p.addLast(PipelineNames.Http2Stream.STALL_GUARD, new Http2StreamStallGuard(config.idleTimeout(), services.metrics()));
        p.addLast(PipelineNames.Http2Stream.REQUEST_TIMER, timer);
        p.addLast(PipelineNames.Http2Stream.CODEC, new Http2StreamFrameToHttpObjectCodec(true, true));
        p.addLast(PipelineNames.Http2Stream.REQUEST, Http2RequestCleanup.INSTANCE);
        p.addLast(PipelineNames.Http2Stream.RECEIVER, new ClientRequestReceiver(services, timer));
    }

    private static int seconds(Http2Config h2) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, h2.resetWindow().toSeconds()));
    }
}
