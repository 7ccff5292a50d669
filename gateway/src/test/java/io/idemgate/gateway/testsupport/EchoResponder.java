package io.idemgate.gateway.testsupport;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.Map;

/**
 * {@link Behaviour#echo()}: the response head goes out at once and each body piece follows as it
 * arrives. No backpressure on the upload (see {@link TestUpstreamHandler}): if the client reads
 * nothing until it has sent everything, up to the whole body waits in the outbound buffer.
 */
final class EchoResponder implements Behaviour.Responder {

    /** Reflected headers stop here, so huge request headers cannot overflow the response head. */
    private static final int MAX_REFLECTED_CHARS = 8 * 1024;

    private final UpstreamExchange exchange;

    private boolean headWritten;

    EchoResponder(UpstreamExchange exchange) {
        this.exchange = exchange;
    }

    /** Written with the first body piece, not earlier: a Content-Length 0 head would end the response. */
    private void writeHeadOnce() {
        if (!headWritten) {
            headWritten = true;
            exchange.write(head(exchange.request()));
        }
    }

    private static HttpResponse head(HttpRequest request) {
        HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        int reflected = 0;
        for (Map.Entry<String, String> h : request.headers()) {
            String name = h.getKey();
            if (name.equalsIgnoreCase("content-length") || name.equalsIgnoreCase("transfer-encoding")) {
                continue;
            }
            reflected += name.length() + h.getValue().length();
            if (reflected > MAX_REFLECTED_CHARS) {
                break;
            }
            response.headers().add("X-Echo-" + name, h.getValue());
        }
        String contentType = request.headers().get(HttpHeaderNames.CONTENT_TYPE);
        if (contentType != null) {
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        }
        long length = HttpUtil.getContentLength(request, -1L);
        if (length >= 0) {
            HttpUtil.setContentLength(response, length);
        } else if (HttpUtil.isTransferEncodingChunked(request)) {
            HttpUtil.setTransferEncodingChunked(response, true);
        } else {
            HttpUtil.setContentLength(response, 0);
        }
        return response;
    }

    @Override
    public void onBody(ByteBuf piece) {
        if (piece.isReadable()) {
            writeHeadOnce();
            exchange.write(new DefaultHttpContent(piece.retainedDuplicate()));
        }
    }

    @Override
    public void onComplete() {
        writeHeadOnce();
        exchange.end(exchange.write(LastHttpContent.EMPTY_LAST_CONTENT));
    }
}
