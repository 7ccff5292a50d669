package io.idemgate.loadtest.load;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import java.nio.charset.StandardCharsets;

/**
 * One keep-alive client connection with at most one request in flight (no pipelining). Hands each
 * response or failure to the {@link LoadGenerator}; a request the generator's timeout sweep finds
 * overdue closes the connection, which the generator then reopens. Not sharable; runs on the generator's event loop.
 */
final class ClientConnection extends SimpleChannelInboundHandler<FullHttpResponse> {

    static final String REPLAYED_HEADER = "Idempotent-Replayed";

    private final LoadGenerator generator;
    /** Index of the target (--target, then --also-target) this connection goes to. */
    private final int target;
    private Channel channel;
    private PlannedRequest current;

    ClientConnection(LoadGenerator generator, int target) {
        this.generator = generator;
        this.target = target;
    }

    int target() {
        return target;
    }

    boolean isActive() {
        return channel != null && channel.isActive();
    }

    void send(PlannedRequest planned, FullHttpRequest request) {
        current = planned;
        channel.writeAndFlush(request).addListener(f -> {
            if (!f.isSuccess()) {
                channel.close();
            }
        });
    }

    /** Fails the request in flight if it was sent before {@code deadlineNanos}, and closes the connection. */
    void expireIfSentBefore(long deadlineNanos) {
        PlannedRequest p = current;
        if (p != null && p.sentNanos - deadlineNanos < 0) {
            current = null;
            generator.failed(p, "timeout");
            channel.close();
        }
    }

    void close() {
        if (channel != null) {
            channel.close();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        generator.connected(this);
        ctx.fireChannelActive();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
        PlannedRequest p = current;
        if (p == null) {
            ctx.close(); // an answer nobody asked for (e.g. after a timeout): the connection is out of step
            return;
        }
        current = null;
        boolean keepAlive = HttpUtil.isKeepAlive(response);
        boolean replayed = "true".equalsIgnoreCase(response.headers().get(REPLAYED_HEADER));
        int status = response.status().code();
        String problem = status >= 400 ? problemSlug(response.content().toString(StandardCharsets.UTF_8)) : "-";
        generator.answered(this, p, status, replayed, generator.hash(response.content()), problem, keepAlive);
        if (!keepAlive) {
            ctx.close();
        }
    }

    /** The slug of the gateway's problem type ({@code urn:idemgate:problem:<slug>}), or "-" for another body. */
    static String problemSlug(String body) {
        String prefix = "urn:idemgate:problem:";
        int at = body.indexOf(prefix);
        if (at < 0) {
            return "-";
        }
        int end = at + prefix.length();
        while (end < body.length() && (Character.isLetterOrDigit(body.charAt(end)) || body.charAt(end) == '-')) {
            end++;
        }
        return body.substring(at + prefix.length(), end);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        PlannedRequest p = current;
        current = null;
        if (p != null) {
            generator.failed(p, "connection_closed");
        }
        generator.closed(this);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
