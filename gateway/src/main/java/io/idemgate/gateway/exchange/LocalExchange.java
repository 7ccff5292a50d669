package io.idemgate.gateway.exchange;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * An exchange the gateway answers by itself (404, 502, 504…). To keep the connection alive it must
 * first consume the rest of the request body: it reads and discards up to {@link #DISCARD_BUDGET}
 * bytes, and beyond that answers at once and closes, so a large body costs no more than that. What it
 * sends is a {@link LocalResponse}: one message, or a replay streamed with backpressure.
 */
final class LocalExchange implements Exchange {

    static final int DISCARD_BUDGET = 64 * 1024;

    private final ChannelHandlerContext ctx;
    private final ClientConnection connection;
    private final boolean clientKeepAlive;
    private LocalResponse response;
    private boolean sending;
    private boolean requestComplete;
    private boolean mustClose;
    private long discarded;

    LocalExchange(ChannelHandlerContext ctx, ClientConnection connection, FullHttpResponse response,
                  boolean clientKeepAlive, boolean requestComplete, boolean mustClose) {
        this(ctx, connection, LocalResponse.of(response), clientKeepAlive, requestComplete, mustClose);
    }

    LocalExchange(ChannelHandlerContext ctx, ClientConnection connection, LocalResponse response,
                  boolean clientKeepAlive, boolean requestComplete, boolean mustClose) {
        this.ctx = ctx;
        this.connection = connection;
        this.response = response;
        this.clientKeepAlive = clientKeepAlive;
        this.requestComplete = requestComplete;
        this.mustClose = mustClose;
    }

    static FullHttpResponse continueResponse() {
        return new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER);
    }

    /** Answers now if nothing of the request is left to read, else discards what arrives until it ends. */
    void begin() {
        if (requestComplete || mustClose) {
            send();
        }
    }

    @Override
    public void onRequestContent(HttpContent content) {
        if (content.decoderResult().isFailure()) {
            mustClose = true; // the decoder stops after bad framing: nothing more can be read
            connection.malformedInput();
        }
        discarded += content.content().readableBytes();
        if (content instanceof LastHttpContent) {
            requestComplete = true;
        }
        content.release();
        if (sending) {
            return;
        }
        if (requestComplete) {
            send();
        } else if (discarded > DISCARD_BUDGET) {
            mustClose = true;
            send();
        }
    }

    @Override
    public void onClientWritabilityChanged(boolean writable) {
        if (sending) {
            response.onWritabilityChanged(writable);
        }
    }

    @Override
    public void onClientClosed() {
        response.abandon();
    }

    @Override
    public void onRequestBodyTimeout() {
        mustClose = true;
        if (!sending) {
            send();
        }
    }

    private void send() {
        sending = true;
        boolean keepAlive = clientKeepAlive && requestComplete && !mustClose
                && !connection.closing();
        if (!keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        response.send(ctx, written -> connection.exchangeFinished(this, written && keepAlive));
    }
}
