package io.idemgate.gateway.exchange;

import io.idemgate.gateway.idempotency.Outcome;
import io.idemgate.gateway.route.Route;
import io.idemgate.gateway.upstream.UpstreamGroup;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.ReferenceCountUtil;

/**
 * Hands an idempotent exchange's request over to a {@link ProxyExchange}, with whatever of its body the
 * idempotent exchange aggregated: to execute a claimed request, or to pass one through without
 * deduplication (fail-open, shadow mode). Event loop only; takes ownership of the buffers it is given.
 */
final class ProxyHandOver {

    private final ChannelHandlerContext ctx;
    private final ClientRequestReceiver receiver;
    private final ExchangeServices services;
    private final HttpRequest request;
    private final RequestLine line;
    private final Route route;
    private final UpstreamGroup group;

    ProxyHandOver(ChannelHandlerContext ctx, ClientRequestReceiver receiver, ExchangeServices services,
                  HttpRequest request, RequestLine line, Route route, UpstreamGroup group) {
        this.ctx = ctx;
        this.receiver = receiver;
        this.services = services;
        this.request = request;
        this.line = line;
        this.route = route;
        this.group = group;
    }

    /** The claimed request with its whole body, recorded by {@code execution}; it runs even if the client left. */
    void execute(Exchange from, CompositeByteBuf body, BufferedBodyBudget.Reservation held,
                 IdempotentExecution execution, Outcome outcome) {
        ProxyExchange exchange = new ProxyExchange(ctx, receiver, services, request, line, route, execution, outcome);
        receiver.handOver(from, exchange);
        execution.startLeaseRenewal();
        exchange.startWithBody(group, body, held);
    }

    /** The request and its whole body, as a plain pass-through. */
    void wholeBody(Exchange from, CompositeByteBuf body, BufferedBodyBudget.Reservation held, Outcome outcome) {
        ProxyExchange exchange = new ProxyExchange(ctx, receiver, services, request, line, route, null, outcome);
        if (receiver.handOver(from, exchange)) {
            exchange.startWithBody(group, body, held);
        } else {
            body.release();
            held.release();
        }
    }

    /**
     * What was aggregated so far ({@code body}, may be null) goes first, {@code next} (may be null) after
     * it, and the rest of the body streams as usual.
     */
    void partialBody(Exchange from, CompositeByteBuf body, boolean requestComplete, HttpContent next) {
        ProxyExchange exchange = new ProxyExchange(ctx, receiver, services, request, line, route, null, Outcome.PASSTHROUGH);
        if (!receiver.handOver(from, exchange)) {
            ReferenceCountUtil.release(body);
            ReferenceCountUtil.release(next);
            return;
        }
        exchange.start(group);
        if (body != null) {
            exchange.onRequestContent(requestComplete && next == null
                    ? new DefaultLastHttpContent(body) : new DefaultHttpContent(body));
        }
        if (next != null) {
            exchange.onRequestContent(next);
        }
    }

    /** Before any body was read: the whole body streams as usual. */
    void headOnly(Exchange from, Outcome outcome) {
        ProxyExchange exchange = new ProxyExchange(ctx, receiver, services, request, line, route, null, outcome);
        if (receiver.handOver(from, exchange)) {
            exchange.start(group);
        }
    }
}
