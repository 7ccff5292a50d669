package io.idemgate.gateway.server;

import io.idemgate.gateway.metrics.RejectReason;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * With {@code server.h2c}: tells an HTTP/2 client with prior knowledge (its connection preface
 * {@code PRI * HTTP/2.0...}) from an HTTP/1.1 one, builds the pipeline for it and steps aside. It decides
 * on the first byte that differs from the preface, so an HTTP/1.1 request is held back by at most two bytes.
 * A preface dripped byte by byte gets {@code server.request-header-timeout} from its first byte, like any
 * head; then the connection closes ({@code header_timeout}).
 */
final class PrefaceSniffer extends ByteToMessageDecoder {

    /** RFC 9113 §3.4. */
    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private static final Logger log = LoggerFactory.getLogger(PrefaceSniffer.class);

    private final ProxyChannelInitializer pipelines;
    private ScheduledFuture<?> timer;

    PrefaceSniffer(ProxyChannelInitializer pipelines) {
        this.pipelines = pipelines;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int n = Math.min(in.readableBytes(), PREFACE.length);
        boolean h2 = true;
        for (int i = 0; i < n; i++) {
            if (in.getByte(in.readerIndex() + i) != PREFACE[i]) {
                h2 = false;
                break;
            }
        }
        if (h2 && n < PREFACE.length) {
            if (timer == null) { // a prefix of the preface so far: wait for more, for a while
                timer = ctx.executor().schedule(() -> tooSlow(ctx), pipelines.headerTimeout().toNanos(), TimeUnit.NANOSECONDS);
            }
            return;
        }
        if (h2) {
            pipelines.addHttp2(ctx.pipeline());
        } else {
            pipelines.addHttp1(ctx.pipeline());
        }
        ctx.pipeline().remove(this); // hands what it holds to the new handlers
    }

    private void tooSlow(ChannelHandlerContext ctx) {
        timer = null;
        if (ctx.channel().isActive() && !ctx.isRemoved()) {
            pipelines.metrics().rejected(RejectReason.HEADER_TIMEOUT);
            log.debug("HTTP/2 connection preface from {} not received within {} ms; closing", ctx.channel().remoteAddress(),
                    pipelines.headerTimeout().toMillis());
            ctx.close();
        }
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
