package io.idemgate.gateway.exchange;

import io.idemgate.gateway.transport.TimedHandler;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2StreamFrame;
import java.time.Duration;

/**
 * The client's clocks for sending a request, so nobody can hold a connection (and what it holds: a
 * parser, a buffered body, an upstream connection) by dripping bytes. It sits before the HTTP codec to
 * see raw reads; the {@link ClientRequestReceiver} tells it where a request's head and end are.
 * <ul>
 *   <li>Head: from the first byte of a request head, the whole head must arrive within
 *       {@code server.request-header-timeout} (a total, not an idle timer: each byte does not reset it).</li>
 *   <li>Body: while a body is being read, {@code server.request-body-timeout} with no byte ends it.
 *       Time during which the gateway itself stopped reading (backpressure) does not count.</li>
 * </ul>
 * Expiry fires {@link #HEADER_TIMEOUT} or {@link #BODY_TIMEOUT} down the pipeline to the receiver.
 * One per HTTP/1.1 connection, or per HTTP/2 stream: there it sits before the frame-to-HTTP/1.1 codec and
 * counts the stream's frames as its bytes. A stream's head arrives whole in one header block, whose time
 * the connection bounds ({@code server.Http2HeaderTimer}), so on a stream only the body clock matters.
 * Event loop only.
 */
public final class RequestTimer extends TimedHandler {

    /** Fired when a request head did not arrive whole in time. */
    public static final Object HEADER_TIMEOUT = new Object() {
        @Override
        public String toString() {
            return "HEADER_TIMEOUT";
        }
    };

    /** Fired when a request body received nothing for the body timeout. */
    public static final Object BODY_TIMEOUT = new Object() {
        @Override
        public String toString() {
            return "BODY_TIMEOUT";
        }
    };

    private enum Phase { BETWEEN_REQUESTS, HEAD, BODY }

    private final long headerTimeoutNanos;
    private final long bodyTimeoutNanos;
    private Phase phase = Phase.BETWEEN_REQUESTS;
    private long headStart;
    private long lastBodyByte;

    public RequestTimer(Duration headerTimeout, Duration bodyTimeout) {
        this.headerTimeoutNanos = headerTimeout.toNanos();
        this.bodyTimeoutNanos = bodyTimeout.toNanos();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf || msg instanceof Http2StreamFrame) {
            if (phase == Phase.BETWEEN_REQUESTS) {
                phase = Phase.HEAD;
                headStart = System.nanoTime();
            } else if (phase == Phase.BODY) {
                lastBodyByte = System.nanoTime();
            }
        }
        ctx.fireChannelRead(msg);
    }

    /**
     * Clocks are armed only at the end of a read burst, and only if the request is still unfinished:
     * the common request, whole in one read, costs no timer at all.
     */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (!scheduled()) {
            if (phase == Phase.HEAD) {
                schedule(headStart + headerTimeoutNanos - System.nanoTime());
            } else if (phase == Phase.BODY) {
                schedule(bodyTimeoutNanos);
            }
        }
        ctx.fireChannelReadComplete();
    }

    /** The decoder produced a request head: its clock stops, the body's starts. */
    void headReceived() {
        cancel();
        phase = Phase.BODY;
        lastBodyByte = System.nanoTime();
    }

    /** The request's last part arrived: no clock runs until the next request's first byte. */
    void requestComplete() {
        cancel();
        phase = Phase.BETWEEN_REQUESTS;
    }

    /** The gateway resumed reading after backpressure: the wait was not the client's. */
    void readingResumed() {
        if (phase == Phase.BODY) {
            lastBodyByte = System.nanoTime();
        }
    }

    @Override
    protected void expired() {
        ChannelHandlerContext ctx = ctx();
        if (!ctx.channel().isActive()) {
            return;
        }
        if (phase == Phase.HEAD) {
            phase = Phase.BETWEEN_REQUESTS;
            ctx.fireUserEventTriggered(HEADER_TIMEOUT);
        } else if (phase == Phase.BODY) {
            if (!ctx.channel().config().isAutoRead()) {
                schedule(bodyTimeoutNanos); // paused by the gateway: the client cannot send
                return;
            }
            long idle = System.nanoTime() - lastBodyByte;
            if (idle < bodyTimeoutNanos) {
                schedule(bodyTimeoutNanos - idle);
                return;
            }
            phase = Phase.BETWEEN_REQUESTS;
            ctx.fireUserEventTriggered(BODY_TIMEOUT);
        }
    }
}
