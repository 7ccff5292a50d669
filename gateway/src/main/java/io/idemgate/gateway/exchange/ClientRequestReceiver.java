package io.idemgate.gateway.exchange;

import io.idemgate.gateway.http.Problem;
import io.idemgate.gateway.http.ProblemResponses;
import io.idemgate.gateway.metrics.RejectReason;
import io.idemgate.gateway.transport.PipelineNames;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of a client connection: turns decoded requests into exchanges, one at a time and in
 * order. Requests pipelined behind the current one are parked (at most one read's worth, since nothing
 * is read while an exchange's request is complete) and started when it ends. Rejects malformed input
 * with 400/414/431 and closes, and closes idle or draining connections between exchanges.
 * One instance per connection; runs on its event loop.
 */
public final class ClientRequestReceiver extends ChannelInboundHandlerAdapter implements ClientConnection {

    /** Fired into every client pipeline when the gateway starts draining. */
    public static final Object DRAIN = new Object() {
        @Override
        public String toString() {
            return "DRAIN";
        }
    };

    private static final Logger log = LoggerFactory.getLogger(ClientRequestReceiver.class);

    private final ExchangeServices services;
    private final RequestTimer timer;
    private final ParkedRequests parked = new ParkedRequests();
    private ChannelHandlerContext ctx;
    /** The connection's idle clock, which counts reads only: restarted when an answer is written. Null on HTTP/2. */
    private IdleStateHandler idleClock;
    private Exchange current;
    private boolean closing;
    private boolean resuming;
    private boolean pausedByExchange;
    private String clientAddress = "-";
    private String protocol = "http/1.1";
    private String scheme = "http";

    /** @param timer the connection's request clocks, or null where the transport bounds them itself */
    public ClientRequestReceiver(ExchangeServices services, RequestTimer timer) {
        this.services = services;
        this.timer = timer;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (ctx.pipeline().get(PipelineNames.Client.IDLE) instanceof IdleStateHandler clock) {
            idleClock = clock;
        }
        Channel connection = ctx.channel();
        if (connection instanceof Http2StreamChannel stream) {
            protocol = "h2";
            connection = stream.parent();
        }
        if (connection.pipeline().get(SslHandler.class) != null) {
            scheme = "https";
        }
        // Here, not in channelActive: behind TLS (ALPN) or the h2c sniffer this handler is added to a
        // connection that is already active. Formatted once; every exchange's log line and X-Forwarded-For use it.
        rememberClientAddress(connection);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        rememberClientAddress(ctx.channel());
        ctx.fireChannelActive();
    }

    private void rememberClientAddress(Channel connection) {
        if ("-".equals(clientAddress) && connection.remoteAddress() instanceof InetSocketAddress a && a.getAddress() != null) {
            clientAddress = a.getAddress().getHostAddress();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HttpObject http) || closing && current == null) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (timer != null) {
            if (msg instanceof HttpRequest) {
                timer.headReceived();
            }
            if (msg instanceof LastHttpContent) {
                timer.requestComplete();
            }
        }
        if (!parked.isEmpty() || (current != null && msg instanceof HttpRequest)) {
            if (parked.park(http)) {
                updateAutoRead();
            }
            return;
        }
        dispatch(http);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (current != null) {
            current.onClientReadComplete();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (current != null) {
            current.onClientWritabilityChanged(ctx.channel().isWritable());
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closing = true;
        Exchange ex = current;
        current = null;
        if (ex != null) {
            ex.onClientClosed();
        }
        parked.clear();
        ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            if (current == null) {
                ctx.close();
            }
        } else if (evt == RequestTimer.HEADER_TIMEOUT) {
            headerTimedOut();
        } else if (evt == RequestTimer.BODY_TIMEOUT) {
            bodyTimedOut();
        } else if (evt == DRAIN) {
            closing = true;
            if (current == null) {
                ctx.close();
            }
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("client connection {} failed: {}", ctx.channel(), cause.toString());
        ctx.close();
    }

    /** A head arrived only in part: if nothing else is going on, 408 and close; else close after the current exchange. */
    private void headerTimedOut() {
        if (current == null) {
            reject(Problem.REQUEST_TIMEOUT, RejectReason.HEADER_TIMEOUT, "The request head was not received within "
                    + services.server().requestHeaderTimeout().toMillis() + " ms.");
        } else {
            services.metrics().rejected(RejectReason.HEADER_TIMEOUT);
            closing = true;
        }
    }

    /** A body stalled: the exchange reading it ends (408) and the connection closes after it. */
    private void bodyTimedOut() {
        services.metrics().rejected(RejectReason.BODY_TIMEOUT);
        log.debug("request body from {} stalled; ending the exchange", clientAddress);
        closing = true;
        if (current != null && parked.isEmpty()) {
            current.onRequestBodyTimeout();
        } else if (current == null) {
            ctx.close();
        }
        // Otherwise the stalled body is a parked request's: the current exchange ends, then the connection.
    }

    /** Whether this connection is to close after the current exchange (draining, or bad input seen). */
    @Override
    public boolean closing() {
        return closing;
    }

    /** Bad framing was seen: the decoder reads nothing more, so the connection closes after this answer. */
    @Override
    public void malformedInput() {
        closing = true;
    }

    @Override
    public String clientAddress() {
        return clientAddress;
    }

    @Override
    public String protocol() {
        return protocol;
    }

    @Override
    public String scheme() {
        return scheme;
    }

    /** The current exchange cannot take more of the request body now. */
    @Override
    public void pauseReading() {
        pausedByExchange = true;
        updateAutoRead();
    }

    @Override
    public void resumeReading() {
        pausedByExchange = false;
        updateAutoRead();
    }

    /**
     * Backpressure by autoRead: reading is on unless the exchange or the parked queue asks it off, so
     * the common request costs no epoll re-arming.
     */
    private void updateAutoRead() {
        boolean read = !pausedByExchange && !parked.full();
        if (ctx.channel().config().isAutoRead() != read) {
            ctx.channel().config().setAutoRead(read);
            if (read && timer != null) {
                timer.readingResumed();
            }
        }
    }

    /** The exchange ended and the response was written; {@code keepAlive} says whether the connection stays. */
    @Override
    public void exchangeFinished(Exchange exchange, boolean keepAlive) {
        if (exchange != current) {
            return;
        }
        current = null;
        pausedByExchange = false;
        if (!keepAlive || closing || services.drain().draining()) {
            // Set before the close: the decoder may still hold pipelined bytes and fire them at us before
            // the channel goes inactive, and a request behind a closing answer must never be served.
            closing = true;
            ctx.close();
            return;
        }
        if (idleClock != null) {
            idleClock.resetReadTimeout(); // a kept connection is idle from its last answer's write on
        }
        resume();
    }

    /**
     * The current exchange passes the connection to its successor (a local answer, or the execution of
     * an idempotent request). The caller starts the successor only if this answers true.
     */
    @Override
    public boolean handOver(Exchange from, Exchange to) {
        if (from != current) {
            to.onClientClosed();
            return false;
        }
        current = to;
        resumeReading();
        return true;
    }

    private void resume() {
        if (resuming) {
            return;
        }
        resuming = true;
        try {
            while (!parked.isEmpty() && (!parked.nextIsRequest() || current == null && !closing)) {
                dispatch(parked.take());
            }
        } finally {
            resuming = false;
        }
        updateAutoRead();
    }

    private void dispatch(HttpObject msg) {
        if (msg instanceof HttpRequest request) {
            startExchange(request);
            if (msg instanceof HttpContent content) {
                forward(content);
            }
        } else if (msg instanceof HttpContent content) {
            forward(content);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    private void forward(HttpContent content) {
        if (current != null) {
            current.onRequestContent(content);
        } else {
            content.release();
        }
    }

    private void startExchange(HttpRequest request) {
        RequestAdmission.Verdict verdict = RequestAdmission.admit(request, services.routing().get());
        if (verdict instanceof RequestAdmission.Refused r) {
            reject(r.problem(), r.reason(), r.detail());
            return;
        }
        if (verdict instanceof RequestAdmission.NoRoute n) {
            services.metrics().rejected(RejectReason.NO_ROUTE);
            services.accessLog().record("-", n.line().methodName(), n.line().path(), 404, RejectReason.NO_ROUTE.label(), -1, 0, clientAddress, protocol);
            answer(Problem.NO_ROUTE, "No route matches " + n.line().methodName() + " " + n.line().path() + ".",
                    HttpUtil.isKeepAlive(request), false);
            return;
        }
        RequestAdmission.Admitted a = (RequestAdmission.Admitted) verdict;
        RequestContext rc = new RequestContext(ctx, this, services, request, a.line(), a.route(), a.group()::acquire);
        if (a.route().config().idempotency().appliesTo(a.line().methodName())) {
            IdempotentExchange exchange = new IdempotentExchange(rc);
            current = exchange;
            exchange.start();
            return;
        }
        ProxyExchange exchange = new ProxyExchange(rc);
        current = exchange;
        exchange.start();
    }

    /** Refuses the request before any exchange: counted, logged, answered, and the connection closed. */
    private void reject(Problem problem, RejectReason reason, String detail) {
        services.metrics().rejected(reason);
        log.debug("rejecting request from {}: {}", clientAddress, detail);
        services.accessLog().record("-", "-", "-", problem.status(), reason.label(), -1, 0, clientAddress, protocol);
        // After bad input nothing that follows on the connection can be trusted to be framed: always close.
        closing = true;
        answer(problem, detail, false, true);
    }

    private void answer(Problem problem, String detail, boolean keepAlive, boolean mustClose) {
        FullHttpResponse response = ProblemResponses.build(ctx.alloc(), problem, detail);
        if (mustClose) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        LocalExchange exchange = new LocalExchange(ctx, this, response, keepAlive, false, mustClose);
        current = exchange;
        exchange.begin();
    }
}
