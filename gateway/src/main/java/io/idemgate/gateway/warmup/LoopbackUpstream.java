package io.idemgate.gateway.warmup;

import io.idemgate.gateway.transport.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** The warm-up's upstream: on an ephemeral loopback port, answers every request at once with a small JSON 201. */
final class LoopbackUpstream implements AutoCloseable {

    private static final byte[] BODY = "{\"id\":\"ord_warm_up\",\"status\":\"created\"}".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_REQUEST = 1024 * 1024;
    private static final String DATE = "Thu, 01 Jan 2026 00:00:00 GMT";

    private final Channel listener;
    private final ChannelGroup connections;

    private LoopbackUpstream(Channel listener, ChannelGroup connections) {
        this.listener = listener;
        this.connections = connections;
    }

    static LoopbackUpstream start(Transport transport, EventLoopGroup loops) throws InterruptedException {
        ChannelGroup connections = new DefaultChannelGroup("warm-up-upstream", GlobalEventExecutor.INSTANCE);
        Responder responder = new Responder();
        ServerBootstrap b = new ServerBootstrap()
                .group(loops)
                .channel(transport.serverChannelType())
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        connections.add(ch);
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(MAX_REQUEST), responder);
                    }
                });
        Channel listener = b.bind("127.0.0.1", 0).sync().channel();
        return new LoopbackUpstream(listener, connections);
    }

    int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    @Override
    public void close() {
        listener.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        connections.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    }

    @ChannelHandler.Sharable
    private static final class Responder extends SimpleChannelInboundHandler<FullHttpRequest> {

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            boolean keepAlive = request.decoderResult().isSuccess() && HttpUtil.isKeepAlive(request);
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    request.decoderResult().isSuccess() ? HttpResponseStatus.CREATED : HttpResponseStatus.BAD_REQUEST,
                    Unpooled.wrappedBuffer(BODY));
            // The headers a typical upstream (nginx, an app server) sends: the gateway's header handling then
            // takes the branches real responses make it take, rather than deoptimizing on the first of them.
            response.headers().set(HttpHeaderNames.SERVER, "warm-up")
                    .set(HttpHeaderNames.DATE, DATE)
                    .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, BODY.length)
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            if (!keepAlive) {
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            } else {
                ctx.writeAndFlush(response);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // the gateway sees a failed upstream call; the warm-up counts the answer
        }
    }
}
