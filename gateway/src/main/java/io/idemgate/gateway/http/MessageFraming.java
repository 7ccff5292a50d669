package io.idemgate.gateway.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/**
 * How a response is re-framed for the client once its hop-by-hop headers are gone: HTTP/1.1, chunked
 * where the length is not known, and the connection header the client needs. (A request's framing for the
 * upstream is written by {@link UpstreamRequestHead}.)
 */
public final class MessageFraming {

    private MessageFraming() {
    }

    /**
     * Readies an upstream response, hop-by-hop headers already stripped, for the client.
     *
     * @param hadLength the upstream sent a Content-Length
     * @param bodyless the response has no body whatever its headers say (HEAD, 204, 304)
     * @param close whether the client connection closes after this response already
     * @return whether the client connection must close after this response
     */
    public static boolean forClient(HttpResponse response, boolean hadLength, boolean bodyless,
                                    boolean clientHttp11, boolean close) {
        response.setProtocolVersion(HttpVersion.HTTP_1_1);
        if (!bodyless && !hadLength) {
            if (clientHttp11) {
                HttpUtil.setTransferEncodingChunked(response, true);
            } else {
                close = true; // an HTTP/1.0 client learns the end of the body from the close
            }
        }
        if (close) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (!clientHttp11) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        return close;
    }
}
