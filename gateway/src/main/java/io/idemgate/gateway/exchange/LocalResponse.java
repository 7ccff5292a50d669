package io.idemgate.gateway.exchange;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.function.Consumer;

/**
 * What a {@link LocalExchange} sends: one full message, or a replay streamed chunk by chunk
 * ({@link ReplayWriter}). Used on the client channel's event loop only.
 */
interface LocalResponse {

    /** The head's headers, still writable until {@link #send} (the exchange may add {@code Connection: close}). */
    HttpHeaders headers();

    /** Writes the whole response, then calls {@code done} once with whether all of it was written. */
    void send(ChannelHandlerContext ctx, Consumer<Boolean> done);

    void onWritabilityChanged(boolean writable);

    /** The client left, before or while sending: stop, and release whatever is not yet written. */
    void abandon();

    static LocalResponse of(FullHttpResponse response) {
        return new Full(response);
    }

    /** A response in one message: the common case (problems, small replays). */
    final class Full implements LocalResponse {

        private FullHttpResponse response;

        private Full(FullHttpResponse response) {
            this.response = response;
        }

        @Override
        public HttpHeaders headers() {
            return response.headers();
        }

        @Override
        public void send(ChannelHandlerContext ctx, Consumer<Boolean> done) {
            FullHttpResponse r = response;
            response = null;
            ctx.writeAndFlush(r).addListener(f -> done.accept(f.isSuccess()));
        }

        @Override
        public void onWritabilityChanged(boolean writable) {
        }

        @Override
        public void abandon() {
            if (response != null) {
                response.release();
                response = null;
            }
        }
    }
}
