package io.idemgate.gateway.exchange;

import io.idemgate.gateway.metrics.RouteMetrics;
import io.idemgate.gateway.route.Route;
import io.idemgate.gateway.upstream.UpstreamConnection;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.concurrent.Future;

/**
 * One routed request and everything its exchanges share: the client channel and connection, the
 * gateway's services, the request head and its parsed line, the route and where its upstreams come
 * from. Built once by the {@link ClientRequestReceiver} and passed along when an exchange hands over to
 * its successor. Event loop only.
 */
final class RequestContext {

    /** Where the route's upstream connections come from ({@code UpstreamGroup::acquire}; a test's fake). */
    @FunctionalInterface
    interface Upstreams {
        /** The connection (or the failure) is delivered on {@code loop}. */
        Future<UpstreamConnection> acquire(EventLoop loop);
    }

    private final ChannelHandlerContext ctx;
    private final ClientConnection connection;
    private final ExchangeServices services;
    private final HttpRequest request;
    private final RequestLine line;
    private final Route route;
    private final Upstreams upstreams;
    private final RouteMetrics metrics;
    private final boolean clientKeepAlive;

    RequestContext(ChannelHandlerContext ctx, ClientConnection connection, ExchangeServices services,
                   HttpRequest request, RequestLine line, Route route, Upstreams upstreams) {
        this.ctx = ctx;
        this.connection = connection;
        this.services = services;
        this.request = request;
        this.line = line;
        this.route = route;
        this.upstreams = upstreams;
        this.metrics = services.metrics().route(route.name());
        this.clientKeepAlive = HttpUtil.isKeepAlive(request);
    }

    ChannelHandlerContext ctx() {
        return ctx;
    }

    ClientConnection connection() {
        return connection;
    }

    ExchangeServices services() {
        return services;
    }

    HttpRequest request() {
        return request;
    }

    RequestLine line() {
        return line;
    }

    Route route() {
        return route;
    }

    RouteMetrics metrics() {
        return metrics;
    }

    /** Whether the client asked to keep the connection (HTTP/1.1 without {@code Connection: close}). */
    boolean clientKeepAlive() {
        return clientKeepAlive;
    }

    Future<UpstreamConnection> acquireUpstream() {
        return upstreams.acquire(ctx.channel().eventLoop());
    }

    /** Whether the answer must close the connection whatever the client asked: draining, or the connection is. */
    boolean closeRequired() {
        return connection.closing() || services.drain().draining();
    }

    /**
     * The exchange's one access line.
     *
     * @param upstreamNanos time to the upstream's response head, or -1 when it was not asked
     * @param keyHash null outside the idempotency engine
     * @param fence the executing attempt's fencing number, or 0
     */
    void logAccess(int status, String outcome, long upstreamNanos, long startNanos, String keyHash, long fence) {
        services.accessLog().record(route.name(), line.methodName(), line.path(), status, outcome, upstreamNanos,
                System.nanoTime() - startNanos, connection.clientAddress(), keyHash, fence, connection.protocol());
    }
}
