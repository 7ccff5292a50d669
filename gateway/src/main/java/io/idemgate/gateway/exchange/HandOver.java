package io.idemgate.gateway.exchange;

import io.idemgate.gateway.idempotency.Outcome;
import io.netty.buffer.CompositeByteBuf;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * The ways an exchange passes its client connection to the exchange that ends the request: a
 * {@link LocalExchange} that answers by itself (a refusal, a replay, a 502), or, from an
 * {@link IdempotentExchange}, a {@link ProxyExchange} with whatever of the body was aggregated, to execute a
 * claimed request or to pass one through without deduplication (fail-open, shadow mode). Event loop only;
 * each takes ownership of what it is given.
 */
final class HandOver {

    private HandOver() {
    }

    /**
     * To a {@link LocalExchange} answering {@code response}; it discards what is left of the body, or, if
     * {@code mustClose}, answers at once and closes.
     */
    static void local(RequestContext rc, Exchange from, LocalResponse response, boolean requestComplete,
                      boolean mustClose) {
        LocalExchange local = new LocalExchange(rc.ctx(), rc.connection(), response, rc.clientKeepAlive(),
                requestComplete, mustClose);
        if (rc.connection().handOver(from, local)) {
            local.begin();
        }
    }

    /**
     * The claimed request with its whole body, recorded by {@code execution}. It runs even if the client
     * left: the key is claimed, so its outcome must be settled, and a refused hand-over has already moved
     * the exchange to its client-gone state, which is why the answer of {@code handOver} is not needed here.
     */
    static void execute(RequestContext rc, Exchange from, CompositeByteBuf body, BufferedBodyBudget.Reservation held,
                        IdempotentExecution execution, Outcome outcome) {
        ProxyExchange exchange = new ProxyExchange(rc, execution, outcome);
        rc.connection().handOver(from, exchange);
        execution.startLeaseRenewal();
        exchange.startWithBody(body, held);
    }

    /** The request and its whole body, as a plain pass-through. */
    static void wholeBody(RequestContext rc, Exchange from, CompositeByteBuf body, BufferedBodyBudget.Reservation held,
                          Outcome outcome) {
        ProxyExchange exchange = new ProxyExchange(rc, ResponseTap.NONE, outcome);
        if (rc.connection().handOver(from, exchange)) {
            exchange.startWithBody(body, held);
        } else {
            body.release();
            held.release();
        }
    }

    /**
     * What was aggregated so far ({@code body}, may be null) goes first, {@code next} (may be null) after
     * it, and the rest of the body streams as usual.
     */
    static void partialBody(RequestContext rc, Exchange from, CompositeByteBuf body, boolean requestComplete,
                            HttpContent next) {
        ProxyExchange exchange = new ProxyExchange(rc);
        if (!rc.connection().handOver(from, exchange)) {
            ReferenceCountUtil.release(body);
            ReferenceCountUtil.release(next);
            return;
        }
        exchange.start();
        if (body != null) {
            exchange.onRequestContent(requestComplete && next == null
                    ? new DefaultLastHttpContent(body) : new DefaultHttpContent(body));
        }
        if (next != null) {
            exchange.onRequestContent(next);
        }
    }
}
