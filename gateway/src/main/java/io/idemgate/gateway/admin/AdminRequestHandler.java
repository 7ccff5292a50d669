package io.idemgate.gateway.admin;

import io.idemgate.gateway.http.Problem;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dispatches whole admin requests, one at a time per connection: pipelined requests wait in a short queue so
 * responses leave in request order even when a handler answers asynchronously. One instance per connection;
 * all state is touched on the connection's event loop only.
 */
final class AdminRequestHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(AdminRequestHandler.class);
    private static final int MAX_QUEUED = 16;

    private final AdminEndpoints endpoints;
    private final BearerTokenCheck tokenCheck;
    private final ArrayDeque<FullHttpRequest> queued = new ArrayDeque<>();
    private boolean busy;

    AdminRequestHandler(AdminEndpoints endpoints, BearerTokenCheck tokenCheck) {
        this.endpoints = endpoints;
        this.tokenCheck = tokenCheck;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (!busy) {
            dispatch(ctx, request);
        } else if (queued.size() < MAX_QUEUED) {
            queued.add(request);
        } else {
            request.release();
            ctx.close();
        }
    }

    private void dispatch(ChannelHandlerContext ctx, FullHttpRequest request) {
        busy = true;
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        boolean head = HttpMethod.HEAD.equals(request.method());
        // A request the decoder could not parse leaves the stream in an unknown state: answer, then close.
        boolean closeAfter = !keepAlive || !request.decoderResult().isSuccess();
        CompletionStage<FullHttpResponse> answer;
        try {
            answer = answer(ctx, request);
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        } finally {
            request.release();
        }
        answer.whenComplete((response, error) -> {
            if (ctx.executor().inEventLoop()) {
                respond(ctx, response, error, closeAfter, head);
            } else {
                ctx.executor().execute(() -> respond(ctx, response, error, closeAfter, head));
            }
        });
    }

    private CompletionStage<FullHttpResponse> answer(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (!request.decoderResult().isSuccess()) {
            return done(AdminResponses.problem(ctx.alloc(), Problem.BAD_REQUEST, "The request could not be parsed"));
        }
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        Map<HttpMethod, AdminEndpoints.Endpoint> methods = endpoints.at(uri.path());
        if (methods == null) {
            return done(AdminResponses.problem(ctx.alloc(), Problem.ADMIN_NOT_FOUND,
                    "No admin endpoint at " + uri.path()));
        }
        AdminEndpoints.Endpoint endpoint = methods.get(request.method());
        if (endpoint == null && HttpMethod.HEAD.equals(request.method())) {
            endpoint = methods.get(HttpMethod.GET);
        }
        if (endpoint == null) {
            FullHttpResponse r = AdminResponses.problem(ctx.alloc(), Problem.METHOD_NOT_ALLOWED,
                    request.method() + " is not allowed on " + uri.path());
            r.headers().set(HttpHeaderNames.ALLOW, allowed(methods));
            return done(r);
        }
        if (endpoint.requiresToken()) {
            FullHttpResponse refusal = tokenCheck.refusal(request.headers(), ctx.alloc());
            if (refusal != null) {
                return done(refusal);
            }
        }
        AdminRequest view = new AdminRequest(request.method(), uri.path(), uri.parameters(), request.headers(),
                ByteBufUtil.getBytes(request.content()), ctx.alloc());
        return endpoint.handler().handle(view);
    }

    private static String allowed(Map<HttpMethod, AdminEndpoints.Endpoint> methods) {
        Set<String> names = new LinkedHashSet<>();
        methods.keySet().forEach(m -> names.add(m.name()));
        if (methods.containsKey(HttpMethod.GET)) {
            names.add(HttpMethod.HEAD.name());
        }
        return names.stream().collect(Collectors.joining(", "));
    }

    private void respond(ChannelHandlerContext ctx, FullHttpResponse response, Throwable error,
                         boolean closeAfter, boolean head) {
        if (error != null || response == null) {
            log.warn("admin endpoint failed", error);
            ReferenceCountUtil.release(response);
            response = AdminResponses.problem(ctx.alloc(), Problem.INTERNAL_ERROR, "The admin endpoint failed");
        }
        if (!ctx.channel().isActive()) {
            response.release();
            return;
        }
        if (!response.headers().contains(HttpHeaderNames.CONTENT_LENGTH)) {
            HttpUtil.setContentLength(response, response.content().readableBytes());
        }
        if (head) {
            // Same headers, Content-Length of the body that a GET would have had, no body.
            FullHttpResponse headOnly = response.replace(Unpooled.EMPTY_BUFFER);
            response.release();
            response = headOnly;
        }
        HttpUtil.setKeepAlive(response, !closeAfter);
        ctx.writeAndFlush(response).addListener(f -> {
            if (closeAfter || !f.isSuccess()) {
                ctx.close();
            } else {
                busy = false;
                FullHttpRequest next = queued.poll();
                if (next != null) {
                    dispatch(ctx, next);
                }
            }
        });
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            ctx.close();
        } else {
            super.userEventTriggered(ctx, evt);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        releaseQueued();
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseQueued();
    }

    private void releaseQueued() {
        FullHttpRequest r;
        while ((r = queued.poll()) != null) {
            r.release();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("admin connection {} failed", ctx.channel(), cause);
        ctx.close();
    }

    private static CompletionStage<FullHttpResponse> done(FullHttpResponse response) {
        return CompletableFuture.completedFuture(response);
    }
}
