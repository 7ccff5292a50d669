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
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of an HTTP/2 connection. Counts every connection the codec ends with an error in
 * {@code idemgate_rejected_requests_total} (by the GOAWAY it sends, which is where inbound and outbound
 * limits alike end up), closes the connection when idle (no traffic, or no open stream) or draining (a
 * GOAWAY, then the open streams finish), and keeps stray errors from reaching the end of the pipeline.
 */
final class Http2ConnectionGuard extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(Http2ConnectionGuard.class);

    private final Http2FrameCodec codec;
    private final GatewayMetrics metrics;
    private final long idleNanos;
    private ScheduledFuture<?> idleTimer;
    private long idleSince;

    Http2ConnectionGuard(Http2FrameCodec codec, GatewayMetrics metrics, Duration idleTimeout) {
        this.codec = codec;
        this.metrics = metrics;
        this.idleNanos = idleTimeout.toNanos();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        idleSince = System.nanoTime();
        armIdle(ctx, idleNanos);
        codec.connection().addListener(new Http2ConnectionAdapter() {
            @Override
            public void onStreamClosed(Http2Stream stream) {
                idleSince = System.nanoTime();
                if (idleTimer == null) {
                    armIdle(ctx, idleNanos);
                }
            }

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

    /**
     * A connection with no open stream for {@code idle-timeout} is closed (GOAWAY, NO_ERROR) whatever else
     * it sends: PINGs, SETTINGS or a frame dripped byte by byte keep the socket busy but ask for nothing,
     * like an HTTP/1.1 connection idle between requests. Streams in progress keep it open; their own clocks
     * bound them. One timer, checked lazily: a stream closing only notes the time.
     */
    private void armIdle(ChannelHandlerContext ctx, long delayNanos) {
        idleTimer = ctx.executor().schedule(() -> idleCheck(ctx), delayNanos, TimeUnit.NANOSECONDS);
    }

    private void idleCheck(ChannelHandlerContext ctx) {
        idleTimer = null;
        if (!ctx.channel().isActive() || codec.connection().numActiveStreams() > 0) {
            return; // the last stream to close arms it again
        }
        long left = idleSince + idleNanos - System.nanoTime();
        if (left > 0) {
            armIdle(ctx, left);
            return;
        }
        log.debug("HTTP/2 connection {} had no open stream for {} ms; closing", ctx.channel().remoteAddress(),
                TimeUnit.NANOSECONDS.toMillis(idleNanos));
        ctx.close(); // the codec sends GOAWAY (NO_ERROR) first
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancelIdle();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelIdle();
        ctx.fireChannelInactive();
    }

    private void cancelIdle() {
        if (idleTimer != null) {
            idleTimer.cancel(false);
            idleTimer = null;
        }
    }

    static RejectReason reason(long errorCode, String why) {
        String text = why.toLowerCase(Locale.ROOT);
        if (text.startsWith(Http2HeaderTimer.REASON)) {
            return RejectReason.HEADER_TIMEOUT;
        }
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
