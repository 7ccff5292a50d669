package io.idemgate.gateway.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;

/** After the handshake, builds the rest of the pipeline for the protocol the client chose by ALPN. */
final class AlpnSwitch extends ApplicationProtocolNegotiationHandler {

    private final ProxyChannelInitializer pipelines;

    AlpnSwitch(ProxyChannelInitializer pipelines) {
        super(ApplicationProtocolNames.HTTP_1_1); // no ALPN at all: HTTP/1.1
        this.pipelines = pipelines;
    }

    @Override
    protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
        if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
            pipelines.addHttp2(ctx.pipeline());
        } else {
            pipelines.addHttp1(ctx.pipeline());
        }
    }

    @Override
    protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close(); // counted by TlsHandshakeCounter; one client's bad handshake is not worth a warning
    }
}
