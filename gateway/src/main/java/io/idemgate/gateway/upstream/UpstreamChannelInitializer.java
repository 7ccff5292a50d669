package io.idemgate.gateway.upstream;

import io.idemgate.gateway.http.TrailerHeaders;
import io.idemgate.gateway.tls.UpstreamTls;
import io.idemgate.gateway.transport.PipelineNames;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Builds each upstream connection's pipeline; see {@link PipelineNames.Upstream} for the order. */
final class UpstreamChannelInitializer extends ChannelInitializer<SocketChannel> {

    private static final int MAX_RESPONSE_HEADER_SIZE = 64 * 1024;
    private static final int MAX_RESPONSE_LINE = 8 * 1024;
    private static final int MAX_CHUNK = 64 * 1024;

    private final long idleMillis;
    private final SslContext tls; // null: cleartext
    private final String host;
    private final int port;
    private final long handshakeMillis;
    private final HttpDecoderConfig decoder = new HttpDecoderConfig()
            .setMaxInitialLineLength(MAX_RESPONSE_LINE)
            .setMaxHeaderSize(MAX_RESPONSE_HEADER_SIZE)
            .setMaxChunkSize(MAX_CHUNK)
            .setHeadersFactory(DecodedResponseHeaders.FACTORY)
            .setTrailersFactory(TrailerHeaders.FACTORY);

    /**
     * @param poolIdleTimeout how long a pooled connection may sit unused before it closes
     * @param tls the route's client context for an https origin, or null
     * @param host the origin's host: SNI and the name its certificate must carry
     * @param handshakeTimeout the TLS handshake's limit (the route's connect-timeout)
     */
    UpstreamChannelInitializer(Duration poolIdleTimeout, SslContext tls, String host, int port, Duration handshakeTimeout) {
        this.idleMillis = poolIdleTimeout.toMillis();
        this.tls = tls;
        this.host = host;
        this.port = port;
        this.handshakeMillis = handshakeTimeout.toMillis();
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        // Idle by reads alone: the idle event matters only for a pooled connection no exchange holds, and its
        // last event was reading the response it served (it is pooled only after the whole request was
        // written). Timing writes too would make IdleStateHandler turn every void write promise into a real
        // one, a promise and a listener per write on the hot path.
        ch.pipeline().addLast(PipelineNames.Upstream.IDLE, new IdleStateHandler(idleMillis, 0, 0, TimeUnit.MILLISECONDS));
        if (tls != null) {
            SslHandler ssl = UpstreamTls.newHandler(tls, ch.alloc(), host, port);
            ssl.setHandshakeTimeoutMillis(handshakeMillis);
            ch.pipeline().addLast(PipelineNames.Upstream.TLS, ssl);
        }
        ch.pipeline()
                .addLast(PipelineNames.Upstream.CODEC, new UpstreamHttpCodec(decoder))
                .addLast(PipelineNames.Upstream.RECEIVER, new UpstreamResponseReceiver());
    }
}
