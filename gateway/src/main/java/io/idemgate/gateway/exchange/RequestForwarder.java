package io.idemgate.gateway.exchange;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.ArrayDeque;

/**
 * The client → upstream half of a {@link ProxyExchange}: the request's framing and {@code Expect}, and
 * its body's parts, held (within the shared body budget) until the body is whole or large and while the
 * upstream connection is being acquired, then written as they come. Backpressure: when the upstream's
 * buffer is full, reading from the client stops until it drains. Once stopped (upstream gone or
 * released, exchange over), parts are dropped, never written to a connection that may already serve
 * another exchange. Event loop only.
 */
final class RequestForwarder {

    /**
     * Body bytes held before an upstream connection is taken. A body that arrives whole within it (most do,
     * in the head's own read) costs no upstream connection until it is here, so a client that stalls its
     * body holds none of the pool (as nginx's request buffering); a larger body streams from then on.
     */
    static final int BUFFER_BEFORE_CONNECT = 64 * 1024;

    private final RequestContext rc;
    private final Runnable onSent;
    // Held parts: most bodies arrive as one part, so the first has its own slot and a queue is made only
    // for more.
    private HttpContent heldFirst;
    private ArrayDeque<HttpContent> heldMore;
    private long heldBytes;
    private boolean chunked;
    private long length;
    private boolean expectContinue;
    private boolean continueSent;
    private BufferedBodyBudget.Reservation buffering;
    private BufferedBodyBudget.Reservation wholeBody;
    private Channel upstream;
    private boolean complete;
    private boolean sent;
    private boolean stopped;

    /** @param onSent runs when the last part has been written: the upstream's turn to answer begins */
    RequestForwarder(RequestContext rc, Runnable onSent) {
        this.rc = rc;
        this.onSent = onSent;
        this.chunked = HttpUtil.isTransferEncodingChunked(rc.request());
        this.length = chunked ? -1 : HttpUtil.getContentLength(rc.request(), -1L);
    }

    /**
     * The request comes with its whole body, aggregated already; {@code body} and its share of the body
     * budget are this forwarder's from now on (the share ends when the body is written).
     */
    void withWholeBody(ByteBuf body, BufferedBodyBudget.Reservation share) {
        wholeBody = share;
        chunked = false;
        length = body.readableBytes();
        HttpRequest request = rc.request();
        request.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
        request.headers().remove(HttpHeaderNames.EXPECT); // answered while the body was aggregated
        request.headers().set(HttpHeaderNames.CONTENT_LENGTH, length);
        offer(new DefaultLastHttpContent(body));
    }

    /** @return false if the request expects something other than {@code 100-continue} (417) */
    boolean acceptExpectation() {
        String expect = rc.request().headers().get(HttpHeaderNames.EXPECT);
        if (expect == null) {
            return true;
        }
        expectContinue = HttpHeaderValues.CONTINUE.contentEqualsIgnoreCase(expect.trim());
        return expectContinue;
    }

    /**
     * Whether a body is still to come and should be held before an upstream connection is taken; if so,
     * a {@code 100 Continue} the client waits for goes out now.
     */
    boolean holdBody() {
        if (complete || !(chunked || length > 0)) {
            return false;
        }
        buffering = rc.services().bodyBudget().open();
        if (expectContinue) {
            sendContinue();
        }
        return true;
    }

    /** While holding: whether enough is held (whole, large, or over the budget) to take a connection now. */
    boolean heldEnough() {
        return complete || heldBytes >= BUFFER_BEFORE_CONNECT || !buffering.growTo(heldBytes);
    }

    /** An upstream connection is being taken: what is held drains to it, so the budget's share ends. */
    void stopHolding() {
        if (buffering != null) {
            buffering.release();
        }
    }

    /** The upstream connection is ready: the head, then the held parts; a {@code 100 Continue} if still owed. */
    void attach(UpstreamCall call) {
        if (stopped) {
            return;
        }
        call.writeHead(rc.request(), chunked, length);
        upstream = call.channel();
        HttpContent part;
        while ((part = pollHeld()) != null) {
            write(part);
        }
        heldBytes = 0;
        if (expectContinue && !continueSent && !complete) {
            sendContinue();
        }
    }

    /** Takes ownership of {@code part}. */
    void offer(HttpContent part) {
        if (part instanceof LastHttpContent) {
            complete = true;
        }
        if (stopped || sent) {
            part.release();
        } else if (upstream == null) {
            hold(part);
            heldBytes += part.content().readableBytes();
        } else {
            write(part);
        }
    }

    /** End of a client read burst: one flush for all the parts it brought. */
    void flush() {
        if (upstream != null && !sent && !stopped) {
            upstream.flush();
        }
    }

    /** No more parts go anywhere: the upstream is gone or released, or the exchange is over. */
    void stop() {
        stopped = true;
        upstream = null;
        HttpContent part;
        while ((part = pollHeld()) != null) {
            part.release();
        }
        heldBytes = 0;
    }

    private void hold(HttpContent part) {
        if (heldFirst == null && heldMore == null) {
            heldFirst = part;
            return;
        }
        if (heldMore == null) {
            heldMore = new ArrayDeque<>(4);
        }
        heldMore.add(part);
    }

    /** The oldest held part, or null. */
    private HttpContent pollHeld() {
        HttpContent part = heldFirst;
        if (part != null) {
            heldFirst = null;
            return part;
        }
        return heldMore == null ? null : heldMore.poll();
    }

    /** The exchange is over: stop, and give back every share of the body budget. */
    void end() {
        stop();
        releaseWholeBody();
        if (buffering != null) {
            buffering.release();
        }
    }

    /** Whether the client has sent the whole request. */
    boolean complete() {
        return complete;
    }

    /** Whether the whole request has been written to the upstream. */
    boolean sent() {
        return sent;
    }

    /** A client waiting for {@code 100 Continue} that it has not had will not send its body. */
    boolean clientAwaitsContinue() {
        return expectContinue && !complete;
    }

    private void sendContinue() {
        ChannelHandlerContext ctx = rc.ctx();
        ctx.writeAndFlush(LocalExchange.continueResponse(), ctx.voidPromise());
        continueSent = true;
    }

    private void releaseWholeBody() {
        if (wholeBody != null) {
            wholeBody.release();
            wholeBody = null;
        }
    }

    private void write(HttpContent part) {
        if (part instanceof LastHttpContent last) {
            sent = true;
            if (!last.trailingHeaders().isEmpty()) {
                // Request trailers are not forwarded: a trailer may not carry framing or routing fields
                // (RFC 9110 §6.5.1), and the gateway has no use for the rest.
                part = new DefaultLastHttpContent(last.content().retain());
                last.release();
            }
            upstream.writeAndFlush(part, upstream.voidPromise());
            releaseWholeBody();
            onSent.run();
        } else {
            upstream.write(part, upstream.voidPromise());
            if (!upstream.isWritable()) {
                rc.connection().pauseReading(); // the upstream is slower than the client: stop reading the client
            }
        }
    }
}
