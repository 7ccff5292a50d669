package io.idemgate.gateway.upstream;

import io.idemgate.gateway.http.HeadBuilder;
import io.idemgate.gateway.http.UpstreamRequestHead;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.EncoderException;
import io.netty.handler.codec.MessageToMessageEncoder;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Writes requests to an upstream connection: an {@link UpstreamRequestHead} as the bytes it builds, then
 * the body's parts framed as that head says — as they are under a {@code content-length}, never more or
 * fewer bytes than it announced, or as chunks ({@code size CRLF data CRLF}, {@code 0 CRLF CRLF} at the
 * end; request trailers are never forwarded). Anything else written here is a bug and is refused before
 * a byte leaves, so the upstream's framing of the connection is always the one the head announced.
 * One per connection; its event loop.
 */
final class UpstreamRequestEncoder extends MessageToMessageEncoder<Object> {

    private static final ByteBuf CRLF = Unpooled.unreleasableBuffer(
            Unpooled.directBuffer(2).writeByte('\r').writeByte('\n')).asReadOnly();
    private static final ByteBuf LAST_CHUNK = Unpooled.unreleasableBuffer(
            Unpooled.directBuffer(5).writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII))).asReadOnly();

    private static final int IDLE = 0;
    private static final int LENGTH = 1;
    private static final int CHUNKED = 2;

    private final UpstreamResponseDecoder decoder;
    private final HeadBuilder head = new HeadBuilder();
    private int state = IDLE;
    private long remaining;

    UpstreamRequestEncoder(UpstreamResponseDecoder decoder) {
        this.decoder = decoder;
    }

    // Every check comes before the first out.add: what is in out is written even when encode throws.
    @Override
    protected void encode(ChannelHandlerContext ctx, Object msg, List<Object> out) {
        if (msg instanceof UpstreamRequestHead h) {
            if (state != IDLE) {
                throw new EncoderException("a request head while the previous request's body is unfinished");
            }
            ByteBuf bytes = h.encode(head, ctx.alloc());
            decoder.requestSent(h.method());
            state = h.chunked() ? CHUNKED : LENGTH;
            remaining = h.chunked() ? 0 : Math.max(0, h.length());
            out.add(bytes);
        } else if (msg instanceof HttpContent part) {
            body(ctx, part, out);
        } else {
            throw new EncoderException("not a request part: " + msg.getClass().getSimpleName());
        }
    }

    private void body(ChannelHandlerContext ctx, HttpContent part, List<Object> out) {
        ByteBuf content = part.content();
        int n = content.readableBytes();
        boolean last = part instanceof LastHttpContent;
        if (state == IDLE) {
            throw new EncoderException("a body part with no request head before it");
        }
        if (state == LENGTH) {
            if (n > remaining || last && n != remaining) {
                throw new EncoderException("the body does not match the content-length written (" + remaining
                        + " bytes left, " + n + " given" + (last ? " as the last part)" : ")"));
            }
            remaining -= n;
            if (n > 0) {
                out.add(content.retain());
            }
        } else if (n > 0) {
            String size = Integer.toHexString(n);
            ByteBuf line = ctx.alloc().buffer(size.length() + 2);
            ByteBufUtil.writeAscii(line, size);
            line.writeByte('\r').writeByte('\n');
            out.add(line);
            out.add(content.retain());
            out.add(CRLF.duplicate());
        }
        if (last) {
            if (state == CHUNKED) {
                out.add(LAST_CHUNK.duplicate());
            }
            state = IDLE;
        }
        if (out.isEmpty()) {
            out.add(Unpooled.EMPTY_BUFFER); // an encoder must produce something; this writes nothing
        }
    }
}
