package io.idemgate.gateway.exchange;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * The request body an idempotent exchange reads whole before it can fingerprint and claim: bounded by
 * the route's {@code max-request-body} and by the gateway's shared budget for buffered bodies, with the
 * {@code 100 Continue} a client may wait for. Owns the buffer and its share of the budget until they are
 * taken (handed to the exchange that forwards them) or released. Event loop only.
 */
final class AggregatedBody {

    /** What became of a part offered to {@link #add}. */
    enum Added {
        /** Taken; more is to come. */
        MORE,
        /** Taken; it was the last part. */
        COMPLETE,
        /** Not taken: the body would be over {@code max-request-body}. */
        TOO_LARGE,
        /** Not taken: the shared budget is spent. */
        OVER_BUDGET
    }

    private final RequestContext rc;
    private final long limit;
    private CompositeByteBuf buffer;
    private BufferedBodyBudget.Reservation reservation;
    private boolean complete;
    private boolean continueSent;

    AggregatedBody(RequestContext rc, long limit) {
        this.rc = rc;
        this.limit = limit;
    }

    /** Whether the declared length alone is over {@code max-request-body}. */
    boolean declaredTooLarge() {
        return HttpUtil.getContentLength(rc.request(), -1L) > limit;
    }

    /**
     * Starts reading: takes the declared length from the budget and answers a waiting
     * {@code Expect: 100-continue}. @return false if the budget cannot hold the declared length (nothing
     * was read and no {@code 100 Continue} sent)
     */
    boolean open() {
        reservation = rc.services().bodyBudget().open();
        long declared = HttpUtil.getContentLength(rc.request(), -1L);
        if (declared > 0 && !reservation.growTo(declared)) {
            return false;
        }
        ChannelHandlerContext ctx = rc.ctx();
        if (HttpUtil.is100ContinueExpected(rc.request())) {
            ctx.writeAndFlush(LocalExchange.continueResponse(), ctx.voidPromise());
            continueSent = true;
        }
        buffer = ctx.alloc().compositeBuffer(Integer.MAX_VALUE);
        return true;
    }

    boolean opened() {
        return buffer != null;
    }

    /** Takes {@code part} unless it would break a limit; a part not taken stays the caller's. */
    Added add(HttpContent part) {
        long total = (long) buffer.readableBytes() + part.content().readableBytes();
        if (total > limit) {
            return Added.TOO_LARGE;
        }
        if (!reservation.growTo(total)) {
            return Added.OVER_BUDGET;
        }
        buffer.addComponent(true, part.content().retain());
        complete = part instanceof LastHttpContent;
        part.release();
        return complete ? Added.COMPLETE : Added.MORE;
    }

    /** Whether the client has sent the whole request. */
    boolean complete() {
        return complete;
    }

    /** A copy of the whole body, for the key and the fingerprint. */
    byte[] bytes() {
        return ByteBufUtil.getBytes(buffer);
    }

    /** A client waiting for a {@code 100 Continue} it did not get will not send its body. */
    boolean clientAwaitsContinue() {
        return HttpUtil.is100ContinueExpected(rc.request()) && !continueSent && !complete;
    }

    /** The body will be forwarded as it is: an {@code Expect} already answered must not reach the upstream. */
    void forgetExpectation() {
        if (continueSent) {
            HttpRequest request = rc.request();
            request.headers().remove(HttpHeaderNames.EXPECT);
        }
    }

    /** The buffer (null if never opened), now the caller's. */
    CompositeByteBuf take() {
        CompositeByteBuf b = buffer;
        buffer = null;
        return b;
    }

    /** The budget's share for the buffer, now the caller's: it ends when the body is written upstream. */
    BufferedBodyBudget.Reservation takeReservation() {
        BufferedBodyBudget.Reservation r = reservation;
        reservation = null;
        return r;
    }

    /** Drops the buffer and gives back its share of the budget. */
    void release() {
        if (buffer != null) {
            buffer.release();
            buffer = null;
        }
        releaseReservation();
    }

    void releaseReservation() {
        if (reservation != null) {
            reservation.release();
        }
    }
}
