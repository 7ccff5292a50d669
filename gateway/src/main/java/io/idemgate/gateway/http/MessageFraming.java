package io.idemgate.gateway.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.util.Iterator;

/**
 * How a message is re-framed for the next hop once its hop-by-hop headers are gone: HTTP/1.1 both
 * ways, chunked where the length is not known, and the connection header the next hop needs.
 */
public final class MessageFraming {

    private MessageFraming() {
    }

    /**
     * Readies a client request, hop-by-hop headers already stripped, for an upstream connection.
     *
     * @param chunked the client sent the body chunked, so it goes on chunked
     * @param length the body length the request was read by, or -1 for none (ignored when chunked)
     * @param host the Host to send: the target's authority for an absolute-form request, else null to keep
     *             the client's (or {@code fallbackHost} when the client sent none)
     */
    public static void forUpstream(HttpRequest request, String uri, boolean chunked, long length,
                                   String host, String fallbackHost) {
        HttpHeaders h = request.headers();
        h.remove(HttpHeaderNames.EXPECT); // the gateway answers Expect itself
        // The framing is the gateway's own, written from how it read the body, never left to whatever
        // the client's headers say after hop-by-hop stripping: the upstream must see the same boundaries.
        if (chunked) {
            h.remove(HttpHeaderNames.CONTENT_LENGTH);
            h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        } else if (length >= 0) {
            if (!readsExactly(h, length)) { // the usual case is the client's own field, already exact: no copy
                h.set(HttpHeaderNames.CONTENT_LENGTH, length);
            }
        } else {
            h.remove(HttpHeaderNames.CONTENT_LENGTH);
        }
        if (host != null) {
            h.set(HttpHeaderNames.HOST, host); // RFC 9112 §3.2.2: an absolute-form target's authority wins
        } else if (!h.contains(HttpHeaderNames.HOST)) {
            h.set(HttpHeaderNames.HOST, fallbackHost);
        }
        request.setProtocolVersion(HttpVersion.HTTP_1_1);
        request.setUri(uri);
    }

    /**
     * Whether {@code h} has exactly one Content-Length field and it is {@code length} in plain decimal
     * digits (no sign, no leading zero, no space): what setting it would write anyway.
     */
    static boolean readsExactly(HttpHeaders h, long length) {
        Iterator<? extends CharSequence> values = h.valueCharSequenceIterator(HttpHeaderNames.CONTENT_LENGTH);
        if (!values.hasNext()) {
            return false;
        }
        CharSequence v = values.next();
        if (values.hasNext()) {
            return false;
        }
        int n = v.length();
        if (n == 0 || n > 18 || n > 1 && v.charAt(0) == '0') {
            return false; // 18 digits cannot overflow a long; longer ones are simply set
        }
        long x = 0;
        for (int i = 0; i < n; i++) {
            char c = v.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
            x = x * 10 + (c - '0');
        }
        return x == length;
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
