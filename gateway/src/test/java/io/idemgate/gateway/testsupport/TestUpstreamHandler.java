package io.idemgate.gateway.testsupport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link TestUpstream} connection: records each request (hashing the body as it streams, never
 * aggregating it) and hands the exchange to the behaviour current when its head arrived.
 * Reading never pauses for the response side: clients such as java.net.http read the response only
 * after sending the whole body, so pausing would deadlock an echo. Not sharable; runs on the
 * channel's event loop.
 */
final class TestUpstreamHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(TestUpstreamHandler.class);

    private final TestUpstream upstream;
    private HttpRequest head;
    private MessageDigest digest;
    private long bodyLength;
    private ByteArrayOutputStream keptBody;
    private Behaviour.Responder responder;

    TestUpstreamHandler(TestUpstream upstream) {
        this.upstream = upstream;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            receive(ctx, msg);
        } catch (RuntimeException e) {
            log.warn("test upstream behaviour failed; closing the connection", e);
            ctx.close();
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void receive(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request) {
            if (request.decoderResult().isFailure()) {
                log.debug("malformed request, closing: {}", request.decoderResult().cause().toString());
                ctx.close();
                return;
            }
            head = request;
            digest = DeterministicBytes.sha256();
            bodyLength = 0;
            keptBody = new ByteArrayOutputStream();
            responder = upstream.behaviour().begin(new UpstreamExchange(ctx, request));
        }
        if (msg instanceof HttpContent content && head != null) {
            ByteBuf piece = content.content();
            hash(piece);
            boolean last = msg instanceof LastHttpContent;
            if (last) {
                // Recorded before the behaviour sees the last piece, so no client gets a whole
                // response before its request is visible in TestUpstream.requests().
                upstream.record(toRecord(true));
                head = null;
            }
            responder.onBody(piece);
            if (last) {
                responder.onComplete();
            }
        }
    }

    private void hash(ByteBuf piece) {
        int n = piece.readableBytes();
        if (n == 0) {
            return;
        }
        byte[] bytes = new byte[n];
        piece.getBytes(piece.readerIndex(), bytes);
        digest.update(bytes);
        bodyLength += n;
        if (keptBody != null) {
            if (bodyLength > TestUpstream.KEPT_BODY_LIMIT) {
                keptBody = null;
            } else {
                keptBody.write(bytes, 0, n);
            }
        }
    }

    private ReceivedRequest toRecord(boolean complete) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (Map.Entry<String, String> h : head.headers()) {
            headers.computeIfAbsent(h.getKey().toLowerCase(), k -> new ArrayList<>()).add(h.getValue());
        }
        headers.replaceAll((k, v) -> List.copyOf(v));
        return new ReceivedRequest(head.method().name(), head.uri(), Map.copyOf(headers), bodyLength,
                HexFormat.of().formatHex(digest.digest()), keptBody == null ? null : keptBody.toByteArray(), complete);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            if (responder != null) {
                responder.onWritable();
            }
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (head != null) {
            upstream.record(toRecord(false));
            head = null;
        }
        if (responder != null) {
            responder.onClosed();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("test upstream connection failed: {}", cause.toString());
        ctx.close();
    }
}
