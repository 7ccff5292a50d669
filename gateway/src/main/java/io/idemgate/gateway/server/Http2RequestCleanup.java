package io.idemgate.gateway.server;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes an HTTP/2 request, already converted to HTTP/1.1 parts, look like what an HTTP/1.1 client would
 * have sent. The conversion maps {@code :authority} to {@code Host} and {@code :method}/{@code :path} to the
 * request line; it adds {@code x-http2-*} extension headers (stream id, scheme) that are ours, not the
 * client's, and must not reach the upstream. Connection-specific fields are malformed in HTTP/2 (RFC 9113
 * §8.2.2) and the codec already refuses them; the exchange writes the upstream framing itself.
 */
@ChannelHandler.Sharable
final class Http2RequestCleanup extends ChannelInboundHandlerAdapter {

    static final Http2RequestCleanup INSTANCE = new Http2RequestCleanup();
    private static final String EXTENSION_PREFIX = "x-http2-";

    private Http2RequestCleanup() {
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof FullHttpRequest full) {
            // A stream that ended with its HEADERS frame. The exchange reads a head and then body parts, as the
            // HTTP/1.1 decoder delivers them, so hand it the same two pieces.
            removeExtensions(full.headers());
            DefaultHttpRequest head = new DefaultHttpRequest(full.protocolVersion(), full.method(), full.uri(), full.headers());
            ctx.fireChannelRead(head);
            ctx.fireChannelRead(full.content().isReadable() || !full.trailingHeaders().isEmpty()
                    ? new DefaultLastHttpContent(full.content(), full.trailingHeaders())
                    : releaseAndEmpty(full));
            return;
        }
        if (msg instanceof HttpRequest request) {
            removeExtensions(request.headers());
        }
        ctx.fireChannelRead(msg);
    }

    private static LastHttpContent releaseAndEmpty(FullHttpRequest full) {
        full.release();
        return LastHttpContent.EMPTY_LAST_CONTENT;
    }

    private static void removeExtensions(HttpHeaders headers) {
        List<String> names = null;
        for (String name : headers.names()) {
            if (name.regionMatches(true, 0, EXTENSION_PREFIX, 0, EXTENSION_PREFIX.length())) {
                if (names == null) {
                    names = new ArrayList<>(2);
                }
                names.add(name);
            }
        }
        if (names != null) {
            names.forEach(headers::remove);
        }
    }
}
