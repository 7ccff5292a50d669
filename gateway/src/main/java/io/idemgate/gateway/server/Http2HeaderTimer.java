package io.idemgate.gateway.server;

import io.idemgate.gateway.exchange.AccessLog;
import io.idemgate.gateway.metrics.RejectReason;
import io.idemgate.gateway.transport.TimedHandler;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code server.request-header-timeout} for HTTP/2: a header block (a HEADERS frame and its CONTINUATION
 * frames, up to END_HEADERS) must arrive whole within it from its first byte, and so must every frame's
 * 9-byte frame header. The codec holds a block's fragments until it ends and no other frame may come in
 * between, so a client dripping CONTINUATION frames would otherwise hold the connection and its buffer
 * with no stream to time out. Expiry is a connection error: the block cannot be dropped without breaking
 * the connection's HPACK state, so the codec sends GOAWAY (ENHANCE_YOUR_CALM, with this reason, which
 * {@link Http2ConnectionGuard} counts as {@code header_timeout}) and closes once the streams already
 * running are done; the GOAWAY's last stream id tells the client the half-sent request was not processed.
 *
 * <p>It sits before the codec and only follows frame boundaries in the raw bytes (the 24-byte preface,
 * then 9-byte frame headers and payload lengths); payloads are skipped, not read. The common frame,
 * whole in one read, costs no timer. One per connection; event loop only.
 */
final class Http2HeaderTimer extends TimedHandler {

    private static final Logger log = LoggerFactory.getLogger(Http2HeaderTimer.class);

    static final String REASON = "request header timeout";
    private static final int PREFACE_LENGTH = 24;
    private static final int FRAME_HEADER_LENGTH = 9;
    private static final int TYPE_HEADERS = 0x1, TYPE_PUSH_PROMISE = 0x5, TYPE_CONTINUATION = 0x9;
    private static final int FLAG_END_HEADERS = 0x4;

    private final long timeoutNanos;
    private final AccessLog accessLog;

    /** Payload bytes (or, at first, preface bytes) still to come before the next frame header. */
    private long skip = PREFACE_LENGTH;
    private final byte[] frameHeader = new byte[FRAME_HEADER_LENGTH];
    private int frameHeaderFill;
    private long frameStart;
    /** Whether the frame whose payload is being skipped ends a header block. */
    private boolean payloadEndsBlock;
    private boolean inBlock;
    private long blockStart;

    Http2HeaderTimer(Duration timeout, AccessLog accessLog) {
        this.timeoutNanos = timeout.toNanos();
        this.accessLog = accessLog;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf) {
            follow(buf, System.nanoTime());
        }
        ctx.fireChannelRead(msg);
    }

    /** Advances over {@code buf}'s readable bytes without moving its reader index. */
    private void follow(ByteBuf buf, long now) {
        int i = buf.readerIndex();
        int end = buf.writerIndex();
        while (i < end) {
            if (skip > 0) {
                int n = (int) Math.min(skip, end - i);
                i += n;
                skip -= n;
                if (skip == 0) {
                    payloadDone();
                }
                continue;
            }
            if (frameHeaderFill == 0) {
                frameStart = now;
            }
            frameHeader[frameHeaderFill++] = buf.getByte(i++);
            if (frameHeaderFill == FRAME_HEADER_LENGTH) {
                frameHeaderFill = 0;
                frameHeaderDone();
            }
        }
    }

    private void frameHeaderDone() {
        int length = ((frameHeader[0] & 0xff) << 16) | ((frameHeader[1] & 0xff) << 8) | (frameHeader[2] & 0xff);
        int type = frameHeader[3] & 0xff;
        boolean endHeaders = (frameHeader[4] & FLAG_END_HEADERS) != 0;
        if (type == TYPE_HEADERS || type == TYPE_PUSH_PROMISE) {
            if (!inBlock) {
                inBlock = true;
                blockStart = frameStart;
            }
            payloadEndsBlock = endHeaders;
        } else {
            // Any other frame inside a block is a protocol error the codec answers; CONTINUATION goes on.
            payloadEndsBlock = type == TYPE_CONTINUATION && endHeaders;
        }
        skip = length;
        if (length == 0) {
            payloadDone();
        }
    }

    private void payloadDone() {
        if (payloadEndsBlock) {
            inBlock = false;
            payloadEndsBlock = false;
        }
    }

    /** Armed at the end of a read burst, only while a header block or a frame header is unfinished. */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (waiting()) {
            if (!scheduled()) {
                schedule(started() + timeoutNanos - System.nanoTime());
            }
        } else {
            cancel();
        }
        ctx.fireChannelReadComplete();
    }

    private boolean waiting() {
        return inBlock || frameHeaderFill > 0;
    }

    private long started() {
        return inBlock ? blockStart : frameStart;
    }

    @Override
    protected void expired() {
        ChannelHandlerContext ctx = ctx();
        if (!ctx.channel().isActive() || !waiting()) {
            return;
        }
        long late = System.nanoTime() - started() - timeoutNanos;
        if (late < 0) {
            schedule(-late); // this block began after the one the timer was set for
            return;
        }
        String client = ctx.channel().remoteAddress() instanceof InetSocketAddress a && a.getAddress() != null
                ? a.getAddress().getHostAddress() : "-";
        log.debug("HTTP/2 header block from {} not received within {} ms; ending the connection", client,
                TimeUnit.NANOSECONDS.toMillis(timeoutNanos));
        // As HTTP/1.1 logs a head that never arrived: 408, though over HTTP/2 only the GOAWAY is sent.
        accessLog.record("-", "-", "-", 408, RejectReason.HEADER_TIMEOUT.label(), -1, 0, client, "h2");
        inBlock = false;
        frameHeaderFill = 0;
        // Graceful: the GOAWAY names the last stream really received, so the client knows this request was
        // not processed, and streams already running may finish (within shutdown-grace); none can start.
        ctx.fireExceptionCaught(new Http2Exception(Http2Error.ENHANCE_YOUR_CALM, REASON + ": the header block did not"
                + " arrive whole within " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms",
                Http2Exception.ShutdownHint.GRACEFUL_SHUTDOWN));
    }
}
