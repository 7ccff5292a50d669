package io.idemgate.gateway.warmup;

import io.idemgate.gateway.transport.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The warm-up's upstream: on an ephemeral loopback port, answers every request at once with a small JSON 201
 * shaped as nginx or a typical app server sends it (Server, Date, Content-Type, Content-Length, Connection),
 * so the gateway's response path takes the branches real answers make it take. Raw bytes, no HTTP codec
 * ({@link HttpBytes} says why).
 */
final class LoopbackUpstream implements AutoCloseable {

    private static final byte[] BODY = "{\"id\":\"ord_0000000001\",\"status\":\"created\"}".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] RESPONSE = ("HTTP/1.1 201 Created\r\n"
            + "Server: nginx\r\n"
            + "Date: Thu, 01 Jan 2026 00:00:00 GMT\r\n"
            + "Content-Type: application/json\r\n"
            + "Content-Length: " + BODY.length + "\r\n"
            + "Connection: keep-alive\r\n"
            + "\r\n" + new String(BODY, StandardCharsets.US_ASCII)).getBytes(StandardCharsets.US_ASCII);
    private static final byte[] BAD_REQUEST = ("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    private static final AsciiString TRANSFER_ENCODING = AsciiString.cached("transfer-encoding");
    /** A request head or body beyond this is not the warm-up's: refused. */
    private static final int MAX_REQUEST = 1024 * 1024;

    private final Channel listener;
    private final ChannelGroup connections;

    private LoopbackUpstream(Channel listener, ChannelGroup connections) {
        this.listener = listener;
        this.connections = connections;
    }

    static LoopbackUpstream start(Transport transport, EventLoopGroup loops) throws InterruptedException {
        ChannelGroup connections = new DefaultChannelGroup("warm-up-upstream", GlobalEventExecutor.INSTANCE);
        ServerBootstrap b = new ServerBootstrap()
                .group(loops)
                .channel(transport.serverChannelType())
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        connections.add(ch);
                        ch.pipeline().addLast(new Responder());
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

    /** One connection's requests, read from bytes: head, then Content-Length bytes of body; one answer each. */
    private static final class Responder extends ChannelInboundHandlerAdapter {

        private ByteBuf pending;
        private boolean refused;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf in = (ByteBuf) msg;
            if (refused) {
                in.release();
                return;
            }
            try {
                if (pending == null) {
                    pending = ctx.alloc().buffer(Math.max(1024, in.readableBytes()));
                }
                pending.writeBytes(in);
            } finally {
                in.release();
            }
            int answers = 0;
            while (pending.isReadable()) {
                int from = pending.readerIndex();
                int headEnd = HttpBytes.headEnd(pending, from);
                if (headEnd < 0) {
                    if (pending.readableBytes() > MAX_REQUEST) {
                        refuse(ctx);
                        return;
                    }
                    break;
                }
                // The warm-up's clients send Content-Length bodies and the gateway forwards them as such.
                int length = HttpBytes.contentLength(pending, from, headEnd);
                if (HttpBytes.hasHeader(pending, from, headEnd, TRANSFER_ENCODING) || length > MAX_REQUEST) {
                    refuse(ctx);
                    return;
                }
                if (pending.writerIndex() - headEnd < length) {
                    break;
                }
                pending.readerIndex(headEnd + length);
                ctx.write(ctx.alloc().buffer(RESPONSE.length).writeBytes(RESPONSE), ctx.voidPromise());
                answers++;
            }
            pending.discardSomeReadBytes();
            if (answers > 0) {
                ctx.flush();
            }
        }

        private void refuse(ChannelHandlerContext ctx) {
            refused = true;
            ctx.writeAndFlush(ctx.alloc().buffer(BAD_REQUEST.length).writeBytes(BAD_REQUEST))
                    .addListener(ChannelFutureListener.CLOSE);
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            if (pending != null) {
                pending.release();
                pending = null;
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // the gateway sees a failed upstream call; the warm-up counts the answer
        }
    }
}
