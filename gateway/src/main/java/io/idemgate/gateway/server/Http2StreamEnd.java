package io.idemgate.gateway.server;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2HeadersFrame;

/**
 * Closes a stream whose whole response went out before its request did (a 408 for a stalled body, a 413,
 * an upstream that answered early) with {@code RST_STREAM NO_ERROR}, as RFC 9113 §8.1 asks: the client
 * must then keep the response and stop sending. A plain close of the stream channel would send
 * {@code CANCEL}, which allows the client to throw the response away. Other closes are left as they are.
 * First in the stream's pipeline, so it sees the frames both ways.
 */
final class Http2StreamEnd extends ChannelDuplexHandler {

    private boolean requestEnded;
    private boolean responseEnded;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        requestEnded |= ends(msg);
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        responseEnded |= ends(msg);
        ctx.write(msg, promise);
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        if (responseEnded && !requestEnded && ctx.channel().isActive()) {
            requestEnded = true;
            // The codec marks the stream reset, so the channel's own close sends no second frame.
            ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.NO_ERROR));
        }
        ctx.close(promise);
    }

    private static boolean ends(Object msg) {
        return msg instanceof Http2HeadersFrame h && h.isEndStream() || msg instanceof Http2DataFrame d && d.isEndStream();
    }
}
