package io.idemgate.gateway.exchange;

import io.idemgate.gateway.http.HopByHopHeaders;
import io.idemgate.gateway.http.MessageFraming;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * The upstream → client half of a {@link ProxyExchange}: the response head with the gateway's framing
 * and headers, then its body parts, each shown to the {@link ResponseTap} of an idempotent execution
 * and written to the client unless it is gone. Interim responses (100, 103) are absorbed: the gateway
 * answered the client's {@code Expect} itself. Event loop only; owns each part only until it is written
 * or released.
 */
final class ResponseForwarder {

    private final RequestContext rc;
    private final ResponseTap tap;
    /** Read before the head is rewritten for the upstream, which always gets HTTP/1.1. */
    private final boolean clientHttp11;
    private boolean skippingInterim;
    private boolean upstreamReusable;
    private boolean closeAfterResponse;

    /** @param tap hears the response of an idempotent execution; null for pass-through */
    ResponseForwarder(RequestContext rc, ResponseTap tap) {
        this.rc = rc;
        this.tap = tap;
        this.clientHttp11 = rc.request().protocolVersion().equals(HttpVersion.HTTP_1_1);
    }

    /** What a message from the upstream is to the exchange. */
    enum Part {
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

    /** What {@code msg} is while the exchange is in {@code phase}; what is not acted on is released. */
    Part classify(HttpObject msg, ProxyState phase) {
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

    /** What a body part is while the exchange is in {@code phase}. */
    Part classifyContent(HttpContent content, ProxyState phase) {
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
    void head(HttpResponse response, boolean clientGone) {
        int status = response.status().code();
        upstreamReusable = HttpUtil.isKeepAlive(response);
        HttpHeaders h = response.headers();
        boolean hasLength = h.contains(HttpHeaderNames.CONTENT_LENGTH);
        HopByHopHeaders.strip(h);
        if (tap != null) {
            tap.onResponseHead(status, h);
        }
        rc.services().forwarded().applyToResponse(h);
        boolean bodyless = rc.line().method().equals(HttpMethod.HEAD) || status == 204 || status == 304;
        closeAfterResponse = MessageFraming.forClient(response, hasLength, bodyless, clientHttp11,
                !rc.clientKeepAlive() || rc.closeRequired());
        if (!clientGone) {
            rc.ctx().write(response, rc.ctx().voidPromise());
        }
    }

    /** A body part before the last. @return false if the client cannot take more now */
    boolean content(HttpContent content, boolean clientGone) {
        if (tap != null) {
            tap.onResponseContent(content.content());
        }
        if (clientGone) {
            content.release();
            return true;
        }
        ChannelHandlerContext ctx = rc.ctx();
        ctx.write(content, ctx.voidPromise());
        return ctx.channel().isWritable();
    }

    /** The last part, shown to the tap; the caller completes the response ({@link #writeLast}). */
    void last(LastHttpContent last) {
        if (tap != null) {
            tap.onResponseContent(last.content());
        }
    }

    ChannelFuture writeLast(LastHttpContent last) {
        return rc.ctx().writeAndFlush(last);
    }

    void flush() {
        rc.ctx().flush();
    }

    /** Whether the upstream keeps its connection alive after this response. */
    boolean upstreamReusable() {
        return upstreamReusable;
    }

    /** Whether the client connection closes after this response (its framing or the gateway requires it). */
    boolean closeAfterResponse() {
        return closeAfterResponse;
    }
}
