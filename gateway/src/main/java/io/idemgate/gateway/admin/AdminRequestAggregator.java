package io.idemgate.gateway.admin;

import io.idemgate.gateway.http.Problem;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.ReferenceCountUtil;

/**
 * Netty's aggregator, except that its 413 and 417 answers are problem+json like every other error the gateway
 * makes. An oversized request closes the connection: its unread body would otherwise be taken for the next request.
 */
final class AdminRequestAggregator extends io.netty.handler.codec.http.HttpObjectAggregator {

    AdminRequestAggregator(int maxContentLength) {
        super(maxContentLength, true);
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        FullHttpResponse response = tooLarge(ctx);
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
        Object netty = super.newContinueResponse(start, maxContentLength, pipeline);
        if (!(netty instanceof FullHttpResponse r) || r.status().equals(HttpResponseStatus.CONTINUE)) {
            return netty;
        }
        int status = r.status().code();
        ReferenceCountUtil.release(netty);
        FullHttpResponse problem = status == HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE.code()
                ? tooLarge(pipeline.firstContext())
                : AdminResponses.problem(pipeline.firstContext().alloc(), Problem.EXPECTATION_FAILED,
                        "Only 'Expect: 100-continue' is supported");
        problem.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        return problem;
    }

    private FullHttpResponse tooLarge(ChannelHandlerContext ctx) {
        FullHttpResponse response = AdminResponses.problem(ctx.alloc(), Problem.REQUEST_TOO_LARGE,
                "Admin request bodies are limited to " + maxContentLength() + " bytes");
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        return response;
    }
}
