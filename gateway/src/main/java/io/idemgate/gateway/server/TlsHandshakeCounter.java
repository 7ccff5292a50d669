package io.idemgate.gateway.server;

import io.idemgate.gateway.metrics.GatewayMetrics;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Counts each client handshake in {@code idemgate_tls_handshakes_total}, then leaves the pipeline. */
@ChannelHandler.Sharable
final class TlsHandshakeCounter extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(TlsHandshakeCounter.class);

    private final GatewayMetrics metrics;

    TlsHandshakeCounter(GatewayMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent done) {
            if (done.isSuccess()) {
                String protocol = ctx.pipeline().get(SslHandler.class).applicationProtocol();
                metrics.tlsHandshake(true, "h2".equals(protocol) ? "h2" : "http/1.1");
            } else {
                metrics.tlsHandshake(false, "");
                log.debug("TLS handshake with {} failed: {}", ctx.channel().remoteAddress(), done.cause().toString());
            }
            ctx.pipeline().remove(this);
        }
        ctx.fireUserEventTriggered(evt);
    }
}
