package io.idemgate.gateway.testsupport;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/** {@link Behaviour#closeAfterHeaders()}: promises 1000 bytes, sends 100, closes. */
final class TruncatingResponder implements Behaviour.Responder {

    static final int PROMISED = 1000;
    static final int SENT = 100;

    private final UpstreamExchange exchange;

    TruncatingResponder(UpstreamExchange exchange) {
        this.exchange = exchange;
    }

    @Override
    public void onComplete() {
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        HttpUtil.setContentLength(head, PROMISED);
        exchange.write(head);
        exchange.write(new DefaultHttpContent(Unpooled.wrappedBuffer(DeterministicBytes.bytes(SENT))))
                .addListener(ChannelFutureListener.CLOSE);
    }
}
