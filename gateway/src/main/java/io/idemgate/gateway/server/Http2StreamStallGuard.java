package io.idemgate.gateway.server;

import io.idemgate.gateway.metrics.GatewayMetrics;
import io.idemgate.gateway.metrics.RejectReason;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Ends a stream that could not send anything for {@code server.idle-timeout} because the client keeps its
 * flow-control window shut (a zero-window stall): otherwise a client that only answers PINGs keeps the
 * connection busy and the response held forever. The reset is a client disconnect to the exchange: an
 * upstream call already made finishes and is stored.
 */
final class Http2StreamStallGuard extends IdleStateHandler {

    private final GatewayMetrics metrics;

    Http2StreamStallGuard(Duration idle, GatewayMetrics metrics) {
        super(0, idle.toMillis(), 0, TimeUnit.MILLISECONDS);
        this.metrics = metrics;
    }

    @Override
    protected void channelIdle(ChannelHandlerContext ctx, IdleStateEvent evt) {
        if (!ctx.channel().isWritable()) {
            metrics.rejected(RejectReason.H2_STALLED_STREAM);
            ctx.close();
        }
    }
}
