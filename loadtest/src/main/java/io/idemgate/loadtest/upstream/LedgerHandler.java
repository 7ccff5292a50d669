package io.idemgate.loadtest.upstream;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection of the demo upstream. Request bodies are counted and released as they
 * stream in (never aggregated). Requests are answered strictly one at a time, in order, so
 * pipelining is safe: autoRead is off and the next read is asked for only when the connection is
 * idle. Latency and slow bodies are scheduled on the event loop, never slept. Not sharable; all
 * methods run on the channel's event loop.
 */
final class LedgerHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(LedgerHandler.class);

    /** A fully read request, or a protocol error to answer before closing. */
    private record Work(ReceivedRequest request, Reply rejection) {
    }

    private final UpstreamOptions options;
    private final Ledger ledger;
    private final LedgerApi api;
    private final ArrayDeque<Work> ready = new ArrayDeque<>();
    private HttpRequest head;
    private long bodyBytes;
    private boolean discarding;
    private boolean busy;

    LedgerHandler(UpstreamOptions options, Ledger ledger, LedgerApi api) {
        this.options = options;
        this.ledger = ledger;
        this.api = api;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.read();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            receive(msg);
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void receive(Object msg) {
        if (discarding) {
            return;
        }
        if (msg instanceof HttpRequest req) {
            if (req.decoderResult().isFailure()) {
                reject(HttpResponseStatus.BAD_REQUEST, "bad_request");
                return;
            }
            head = req;
            bodyBytes = 0;
            if (HttpUtil.getContentLength(req, -1L) > options.maxRequestBytes()) {
                reject(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "request_too_large");
                return;
            }
        }
        if (msg instanceof HttpContent content && head != null) {
            if (content.decoderResult().isFailure()) {
                reject(HttpResponseStatus.BAD_REQUEST, "bad_request");
                return;
            }
            bodyBytes += content.content().readableBytes();
            if (bodyBytes > options.maxRequestBytes()) {
                reject(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "request_too_large");
                return;
            }
            if (msg instanceof LastHttpContent) {
                ready.add(new Work(new ReceivedRequest(head.method(), head.uri(), head.protocolVersion(), head.headers(),
                        bodyBytes, HttpUtil.isKeepAlive(head)), null));
                head = null;
            }
        }
    }

    /** After a protocol error the rest of the connection's input is dropped; the answer closes it. */
    private void reject(HttpResponseStatus status, String error) {
        ready.add(new Work(null, Reply.of(status, "{\"error\":" + Json.quote(error) + "}")));
        head = null;
        discarding = true;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        processNext(ctx);
    }

    private void processNext(ChannelHandlerContext ctx) {
        if (busy || !ctx.channel().isActive()) {
            return;
        }
        Work work = ready.poll();
        if (work == null) {
            ctx.read();
            return;
        }
        busy = true;
        if (work.rejection() != null) {
            write(ctx, work.rejection(), HttpVersion.HTTP_1_1, false, false);
            return;
        }
        ReceivedRequest r = work.request();
        if (LedgerApi.isControl(r)) {
            write(ctx, api.control(r), r.version(), r.keepAlive(), false);
            return;
        }
        ledger.countRequest();
        long delay = options.latency().nextNanos();
        if (delay == 0) {
            serve(ctx, r);
        } else {
            ctx.executor().schedule(() -> serve(ctx, r), delay, TimeUnit.NANOSECONDS);
        }
    }

    private void serve(ChannelHandlerContext ctx, ReceivedRequest r) {
        if (!ctx.channel().isActive()) {
            return;
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        if (random.nextDouble() < options.errorRate()) {
            // Failed before executing: a retry must execute it.
            ledger.countInjectedError();
            write(ctx, Reply.of(HttpResponseStatus.SERVICE_UNAVAILABLE, "{\"error\":\"injected_failure\"}"),
                    r.version(), r.keepAlive(), false);
            return;
        }
        Reply reply = api.execute(r);
        if (random.nextDouble() < options.resetRate()) {
            // Executed, then the answer is lost: the outcome-unknown case a gateway has to live with.
            ledger.countInjectedReset();
            ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
            ctx.close();
            return;
        }
        Reply padded = new Reply(reply.status(), reply.location(), Json.pad(reply.json(), options.responseBytes()));
        write(ctx, padded, r.version(), r.keepAlive(), options.slowBody());
    }

    private void write(ChannelHandlerContext ctx, Reply reply, HttpVersion requestVersion, boolean keepAlive, boolean slow) {
        byte[] body = reply.json().getBytes(StandardCharsets.UTF_8);
        HttpResponse response = slow
                ? new DefaultHttpResponse(HttpVersion.HTTP_1_1, reply.status())
                : new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, reply.status(), Unpooled.wrappedBuffer(body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        if (reply.location() != null) {
            response.headers().set(HttpHeaderNames.LOCATION, reply.location());
        }
        HttpUtil.setContentLength(response, body.length);
        HttpUtil.setKeepAlive(response.headers(), requestVersion, keepAlive);
        ChannelFuture written = ctx.writeAndFlush(response);
        if (slow) {
            writePiece(ctx, body, 0, keepAlive);
        } else {
            written.addListener(f -> afterResponse(ctx, f.isSuccess(), keepAlive));
        }
    }

    private void writePiece(ChannelHandlerContext ctx, byte[] body, int offset, boolean keepAlive) {
        ctx.executor().schedule(() -> {
            if (!ctx.channel().isActive()) {
                return;
            }
            int n = Math.min(options.slowBodyChunk(), body.length - offset);
            boolean last = offset + n >= body.length;
            var piece = Unpooled.wrappedBuffer(body, offset, n);
            if (last) {
                ctx.writeAndFlush(new DefaultLastHttpContent(piece)).addListener(f -> afterResponse(ctx, f.isSuccess(), keepAlive));
            } else {
                ctx.writeAndFlush(new DefaultHttpContent(piece));
                writePiece(ctx, body, offset + n, keepAlive);
            }
        }, options.slowBodyDelay().toNanos(), TimeUnit.NANOSECONDS);
    }

    private void afterResponse(ChannelHandlerContext ctx, boolean written, boolean keepAlive) {
        if (!written || !keepAlive) {
            ctx.close();
            return;
        }
        busy = false;
        processNext(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        ready.clear();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("closing {}: {}", ctx.channel(), cause.toString());
        ctx.close();
    }
}
