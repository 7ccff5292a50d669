package io.idemgate.gateway.server;

import io.idemgate.gateway.exchange.ClientRequestReceiver;
import io.idemgate.gateway.metrics.GatewayMetrics;
import io.idemgate.gateway.metrics.RejectReason;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.timeout.IdleStateEvent;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of an HTTP/2 connection. Counts every connection the codec ends with an error in
 * {@code idemgate_rejected_requests_total} (by the GOAWAY it sends, which is where inbound and outbound
 * limits alike end up), closes the connection when idle or draining (a GOAWAY, then the open streams
 * finish), and keeps stray errors from reaching the end of the pipeline.
 */
final class Http2ConnectionGuard extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(Http2ConnectionGuard.class);

    private final Http2FrameCodec codec;
    private final GatewayMetrics metrics;

    Http2ConnectionGuard(Http2FrameCodec codec, GatewayMetrics metrics) {
        this.codec = codec;
        this.metrics = metrics;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        codec.connection().addListener(new Http2ConnectionAdapter() {
            @Override
            public void onGoAwaySent(int lastStreamId, long errorCode, ByteBuf debugData) {
                if (errorCode != Http2Error.NO_ERROR.code()) {
                    String why = debugData.toString(StandardCharsets.UTF_8);
                    RejectReason reason = reason(errorCode, why);
                    metrics.rejected(reason);
                    log.atDebug().addKeyValue("reason", reason.label())
                            .log("HTTP/2 connection {} ended: {} {}", ctx.channel().remoteAddress(), Http2Error.valueOf(errorCode), why);
                }
            }
        });
    }

    static RejectReason reason(long errorCode, String why) {
        String text = why.toLowerCase(Locale.ROOT);
        if (errorCode == Http2Error.ENHANCE_YOUR_CALM.code()) {
            return text.contains("rst") ? RejectReason.H2_RAPID_RESET : RejectReason.H2_FLOOD;
        }
        if (text.contains("header size") || text.contains("header list") || text.contains("continuation")) {
            return RejectReason.H2_HEADERS_TOO_LARGE;
        }
        return RejectReason.H2_PROTOCOL_ERROR;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            // Nothing read and nothing written for idle-timeout: streams stuck on a shut window included.
            ctx.close();
        } else if (evt == ClientRequestReceiver.DRAIN) {
            ctx.close(); // the codec sends GOAWAY and closes once the open streams are done
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // The codec has answered it already (GOAWAY or RST_STREAM) and counted it above.
        if (!(cause instanceof Http2Exception)) {
            log.debug("HTTP/2 connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
        }
    }
}
