package io.idemgate.gateway.testsupport;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.EventExecutor;
import java.util.Map;

/**
 * One request/response on a {@link TestUpstream} connection, as a {@link Behaviour} sees it.
 * Every method must be called on the connection's event loop ({@link #executor()}).
 */
public final class UpstreamExchange {

    private final ChannelHandlerContext ctx;
    private final HttpRequest request;
    private final boolean keepAlive;

    UpstreamExchange(ChannelHandlerContext ctx, HttpRequest request) {
        this.ctx = ctx;
        this.request = request;
        this.keepAlive = HttpUtil.isKeepAlive(request);
    }

    public HttpRequest request() {
        return request;
    }

    public EventExecutor executor() {
        return ctx.executor();
    }

    public ByteBufAllocator alloc() {
        return ctx.alloc();
    }

    public boolean isOpen() {
        return ctx.channel().isActive();
    }

    public boolean isWritable() {
        return ctx.channel().isWritable();
    }

    /** Writes and flushes; a response head gets {@code Connection: close} when the request did not keep alive. */
    public ChannelFuture write(Object msg) {
        if (msg instanceof HttpResponse response && !keepAlive) {
            HttpUtil.setKeepAlive(response, false);
        }
        return ctx.writeAndFlush(msg);
    }

    /** Marks the response complete after {@code lastWrite}: closes the connection unless it keeps alive. */
    public void end(ChannelFuture lastWrite) {
        if (!keepAlive) {
            lastWrite.addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** Writes a whole response with Content-Length and ends the exchange. */
    public void respond(int status, Map<String, String> headers, byte[] body) {
        DefaultFullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(status), Unpooled.wrappedBuffer(body));
        headers.forEach(response.headers()::add);
        HttpUtil.setContentLength(response, body.length);
        end(write(response));
    }

    public void close() {
        ctx.close();
    }
}
