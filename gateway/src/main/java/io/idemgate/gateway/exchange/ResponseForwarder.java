package io.idemgate.gateway.exchange;

import io.idemgate.gateway.http.HopByHopHeaders;
import io.idemgate.gateway.http.MessageFraming;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;

/**
 * The upstream → client half of a {@link ProxyExchange}: the response head with the gateway's framing
 * and headers, then its body parts, each shown to the {@link ResponseTap} of an idempotent execution
 * and written to the client unless it is gone, then its last bytes once the answer is stored. Interim
 * responses (100, 103) are absorbed: the gateway answered the client's {@code Expect} itself. What
 * changes the exchange's state (the response begins, breaks, ends) it tells its {@link Events}. Event
 * loop only; owns each part only until it is written or released.
 */
final class ResponseForwarder implements ChannelFutureListener {

    /** The moves a response makes its exchange take. Event loop only. */
    interface Events {
        /** The final head arrived. @return whether the exchange took it (moved to streaming the response) */
        boolean responseBegins(int status);

        /** The response cannot be used: its head could not be decoded, or its body's framing broke. */
        void upstreamLost(UpstreamFailure failure);

        /** The last part arrived: the exchange frees the upstream, then hands it back to {@link #last}. */
        void responseEnds(LastHttpContent last);

        /**
         * Whether the answer is stored is known (a pass-through: at once): the exchange hands the held last
         * part to {@link #deliverLast}, or releases it if it has ended meanwhile. On the event loop.
         */
        void responseStored(LastHttpContent last, boolean stored);

        /**
         * The response is over for the client: {@code keepAlive} says whether it allows the connection to be
         * kept, {@code why} (null for a whole answer) why the client got no whole answer.
         */
        void responseDelivered(boolean keepAlive, String why);
    }

    private final RequestContext rc;
    private final ResponseTap tap;
    private final UpstreamCall call;
    private final Events events;
    /** An idempotent execution: its last bytes wait until the answer is stored. */
    private final boolean recording;
    /** Read before the head is rewritten for the upstream, which always gets HTTP/1.1. */
    private final boolean clientHttp11;
    private boolean skippingInterim;
    private boolean upstreamReusable;
    private boolean closeAfterResponse;

    /** @param tap hears the response of an idempotent execution; {@link ResponseTap#NONE} for pass-through */
    ResponseForwarder(RequestContext rc, ResponseTap tap, UpstreamCall call, Events events) {
        this.rc = rc;
        this.tap = tap;
        this.call = call;
        this.events = events;
        this.recording = tap != ResponseTap.NONE;
        this.clientHttp11 = rc.request().protocolVersion().equals(HttpVersion.HTTP_1_1);
    }

    /** What a message from the upstream is to the exchange. */
    private enum Part {
        /** Released here: an interim response or its parts, or nothing the exchange's state expects. */
        SKIPPED,
        /** Released here: a response head the codec could not decode. */
        MALFORMED_HEAD,
        /** The final response head. */
        HEAD,
        /** A body part before the last. */
        BODY,
        /** The last body part. */
        LAST,
        /** Released here: a body part whose framing broke (the response is truncated). */
        BROKEN
    }

    /**
     * Forwards a message from the upstream while the exchange is in {@code phase}; what is not acted on
     * (an interim response, or nothing the phase expects: the fallback) is released.
     */
    void forward(HttpObject msg, ProxyState phase, boolean clientGone) {
        Part part = classify(msg, phase);
        if (part == Part.HEAD) {
            HttpResponse head = (HttpResponse) msg;
            boolean taken = events.responseBegins(head.status().code());
            if (taken) {
                head(head, clientGone);
            }
            if (!(msg instanceof HttpContent content)) {
                return;
            }
            part = classifyContent(content, taken ? ProxyState.STREAMING_RESPONSE : ProxyState.DONE);
        }
        switch (part) {
            case MALFORMED_HEAD -> events.upstreamLost(UpstreamFailure.MALFORMED);
            case BROKEN -> events.upstreamLost(UpstreamFailure.TRUNCATED);
            case BODY -> {
                if (!content((HttpContent) msg, clientGone)) {
                    call.pauseReading(); // the client is slower than the upstream
                }
            }
            case LAST -> events.responseEnds((LastHttpContent) msg);
            default -> { } // released: interim, or not expected now (the fallback)
        }
    }

    private Part classify(HttpObject msg, ProxyState phase) {
        if (!(msg instanceof HttpResponse head)) {
            return classifyContent((HttpContent) msg, phase);
        }
        if (phase != ProxyState.AWAITING_RESPONSE) {
            ReferenceCountUtil.release(msg);
            return Part.SKIPPED;
        }
        if (msg.decoderResult().isFailure()) {
            ReferenceCountUtil.release(msg);
            return Part.MALFORMED_HEAD;
        }
        if (head.status().code() < 200) {
            skippingInterim = true;
            ReferenceCountUtil.release(msg);
            return Part.SKIPPED;
        }
        return Part.HEAD;
    }

    private Part classifyContent(HttpContent content, ProxyState phase) {
        if (skippingInterim) {
            content.release();
            skippingInterim = !(content instanceof LastHttpContent);
            return Part.SKIPPED;
        }
        if (phase != ProxyState.STREAMING_RESPONSE) {
            content.release();
            return Part.SKIPPED;
        }
        if (content.decoderResult().isFailure()) {
            content.release();
            return Part.BROKEN;
        }
        return content instanceof LastHttpContent ? Part.LAST : Part.BODY;
    }

    /** The final response head: headers rewritten for the client, shown to the tap, written unless the client is gone. */
    private void head(HttpResponse response, boolean clientGone) {
        int status = response.status().code();
        HttpHeaders h = response.headers();
        boolean hasLength = h.contains(HttpHeaderNames.CONTENT_LENGTH);
        int connection = HopByHopHeaders.stripReadingConnection(h);
        // As HttpUtil.isKeepAlive, from the one reading of the Connection header the stripping makes.
        upstreamReusable = (connection & HopByHopHeaders.CLOSE) == 0
                && (response.protocolVersion().isKeepAliveDefault() || (connection & HopByHopHeaders.KEEP_ALIVE) != 0);
        tap.onResponseHead(status, h);
        rc.services().forwarded().applyToResponse(h);
        boolean bodyless = rc.line().method().equals(HttpMethod.HEAD) || status == 204 || status == 304;
        closeAfterResponse = MessageFraming.forClient(response, hasLength, bodyless, clientHttp11,
                !rc.clientKeepAlive() || rc.closeRequired());
        if (!clientGone) {
            rc.ctx().write(response, rc.ctx().voidPromise());
        }
    }

    /** A body part before the last. @return false if the client cannot take more now */
    private boolean content(HttpContent content, boolean clientGone) {
        tap.onResponseContent(content.content());
        if (clientGone) {
            content.release();
            return true;
        }
        ChannelHandlerContext ctx = rc.ctx();
        ctx.write(content, ctx.voidPromise());
        return ctx.channel().isWritable();
    }

    /**
     * The last part, shown to the tap; the exchange hears on the event loop whether the answer is stored
     * ({@link Events#responseStored}), and completes the response ({@link #deliverLast}) or cuts it. The last
     * bytes wait for the store (SPEC §2: with min-replicas, on the replicas too), since a client that has the
     * whole response may rely on its retry replaying it. A pass-through stores nothing, so it goes on at once,
     * with no future and no callback made for it.
     */
    void last(LastHttpContent last) {
        if (!recording) {
            events.responseStored(last, true);
            return;
        }
        tap.onResponseContent(last.content());
        EventExecutor loop = rc.ctx().executor();
        tap.onResponseComplete().whenComplete((stored, err) -> {
            boolean ok = err == null && Boolean.TRUE.equals(stored);
            if (loop.inEventLoop()) {
                events.responseStored(last, ok);
            } else {
                loop.execute(() -> events.responseStored(last, ok));
            }
        });
    }

    /**
     * Completes the response with the held last bytes, or, when the answer could not be stored, cuts the
     * client connection instead; then tells the exchange ({@link Events#responseDelivered}), once the last
     * bytes are written when they are sent.
     */
    void deliverLast(LastHttpContent last, boolean stored, boolean clientGone) {
        if (clientGone) {
            last.release();
            events.responseDelivered(false, stored ? "client gone; response stored" : "client gone; response not stored");
        } else if (!stored) {
            last.release();
            rc.ctx().close();
            events.responseDelivered(false, "response not stored; connection cut");
        } else {
            rc.ctx().writeAndFlush(last).addListener(this); // this forwarder as the listener: nothing made per response
        }
    }

    /** The last bytes are written (or failed): the connection may be kept only if they went out. */
    @Override
    public void operationComplete(ChannelFuture written) {
        events.responseDelivered(written.isSuccess() && !closeAfterResponse, null);
    }

    void flush() {
        rc.ctx().flush();
    }

    /** Whether the upstream keeps its connection alive after this response. */
    boolean upstreamReusable() {
        return upstreamReusable;
    }
}
