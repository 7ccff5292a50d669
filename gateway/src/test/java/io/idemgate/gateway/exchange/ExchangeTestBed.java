package io.idemgate.gateway.exchange;

import io.idemgate.gateway.config.ConfigLoader;
import io.idemgate.gateway.config.GatewayConfig;
import io.idemgate.gateway.http.ForwardedHeaders;
import io.idemgate.gateway.http.HeadBuilder;
import io.idemgate.gateway.http.UpstreamRequestHead;
import io.idemgate.gateway.idempotency.KeyHasher;
import io.idemgate.gateway.identity.ScopeResolver;
import io.idemgate.gateway.metrics.GatewayMetrics;
import io.idemgate.gateway.route.Route;
import io.idemgate.gateway.store.IdempotencyStore;
import io.idemgate.gateway.upstream.EmbeddedUpstream;
import io.idemgate.gateway.upstream.UpstreamConnection;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One exchange on an {@link EmbeddedChannel}, no sockets: a client channel whose outbound is what the
 * client got, an upstream channel whose outbound is what the upstream got, and a {@link Connection} that
 * plays the {@link ClientRequestReceiver}. Tests fire the exchange's events directly, one state at a time.
 */
final class ExchangeTestBed implements AutoCloseable {

    final GatewayConfig config;
    final Route route;
    final GatewayMetrics metrics = new GatewayMetrics(new PrometheusRegistry());
    final EmbeddedChannel client = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
    final ChannelHandlerContext ctx = client.pipeline().firstContext();
    final EmbeddedChannel upstream = new EmbeddedChannel();
    final Connection connection = new Connection();
    final ExchangeServices services;
    /** What the next acquire answers: a connection over {@link #upstream} unless a test sets another future. */
    Future<UpstreamConnection> nextAcquire;
    int acquires;

    ExchangeTestBed(String idempotency, IdempotencyStore store) {
        this(idempotency, store, null);
    }

    /** @param scope the route's scope resolver, or null for the one its config makes */
    ExchangeTestBed(String idempotency, IdempotencyStore store, ScopeResolver scope) {
        config = ConfigLoader.parse("""
                idemgate.server.request-body-timeout = 5s
                idemgate.routes = [
                  { name = r, match.path = "/**", upstream.urls = ["http://127.0.0.1:1"],
                    upstream.response-timeout = 2s, %s }
                ]
                """.formatted(idempotency), "test");
        route = scope == null ? new Route(config.routes().get(0)) : new Route(config.routes().get(0), scope);
        services = new ExchangeServices(() -> null, config.server(), metrics, new ForwardedHeaders("idemgate"),
                new AccessLog(null), new DrainSignal(), store, new OwnerIds("test"),
                new BufferedBodyBudget(config.server().maxBufferedRequestBytes()), KeyHasher.withSecret("test"));
        nextAcquire = client.eventLoop().newSucceededFuture(EmbeddedUpstream.over(upstream));
    }

    RequestContext context(HttpRequest request) {
        return new RequestContext(ctx, connection, services, request, RequestLine.of(request), route, loop -> {
            acquires++;
            return nextAcquire;
        });
    }

    static HttpRequest post(String body, String... headers) {
        DefaultFullHttpRequest r = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/pay",
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        r.headers().set("Host", "gw.test").set("Content-Length", body.length());
        for (int i = 0; i < headers.length; i += 2) {
            r.headers().set(headers[i], headers[i + 1]);
        }
        return r;
    }

    /** A head alone, its body to follow as separate contents. */
    static HttpRequest postHead(long length, String... headers) {
        DefaultHttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/pay");
        r.headers().set("Host", "gw.test").set("Content-Length", length);
        for (int i = 0; i < headers.length; i += 2) {
            r.headers().set(headers[i], headers[i + 1]);
        }
        return r;
    }

    /** Everything written to the client so far; the caller releases it. */
    List<Object> clientGot() {
        return drain(client);
    }

    List<Object> upstreamGot() {
        return drain(upstream);
    }

    /** Runs what the exchanges posted to the loop (store answers hop back through it). */
    void runTasks() {
        client.runPendingTasks();
        upstream.runPendingTasks();
    }

    static int status(Object msg) {
        return ((HttpResponse) msg).status().code();
    }

    static String text(Object msg) {
        return msg instanceof FullHttpResponse f ? f.content().toString(StandardCharsets.UTF_8)
                : ((io.netty.handler.codec.http.HttpContent) msg).content().toString(StandardCharsets.UTF_8);
    }

    /** The bytes a head sent upstream becomes, as text. */
    static String headText(UpstreamRequestHead head) {
        ByteBuf b = head.encode(new HeadBuilder(), UnpooledByteBufAllocator.DEFAULT);
        try {
            return b.toString(StandardCharsets.ISO_8859_1);
        } finally {
            b.release();
        }
    }

    static void release(List<Object> messages) {
        messages.forEach(ReferenceCountUtil::release);
    }

    private static List<Object> drain(EmbeddedChannel ch) {
        List<Object> out = new ArrayList<>();
        for (Object m; (m = ch.readOutbound()) != null; ) {
            out.add(m);
        }
        return out;
    }

    @Override
    public void close() {
        release(clientGot());
        release(upstreamGot());
        client.finishAndReleaseAll();
        upstream.finishAndReleaseAll();
    }

    /** Plays the {@link ClientRequestReceiver}: one current exchange, hand-overs, and what the end said. */
    static final class Connection implements ClientConnection {
        Exchange current;
        boolean closing;
        boolean reading = true;
        Boolean finishedKeepAlive;
        int handOvers;

        void start(Exchange exchange) {
            current = exchange;
        }

        /** The client's connection closed: the current exchange hears it, and nothing is current. */
        void clientClosed() {
            Exchange ex = current;
            current = null;
            if (ex != null) {
                ex.onClientClosed();
            }
        }

        @Override
        public boolean closing() {
            return closing;
        }

        @Override
        public void malformedInput() {
            closing = true;
        }

        @Override
        public String clientAddress() {
            return "127.0.0.1";
        }

        @Override
        public void pauseReading() {
            reading = false;
        }

        @Override
        public void resumeReading() {
            reading = true;
        }

        @Override
        public void exchangeFinished(Exchange exchange, boolean keepAlive) {
            if (exchange == current) {
                current = null;
                finishedKeepAlive = keepAlive;
            }
        }

        @Override
        public boolean handOver(Exchange from, Exchange to) {
            if (from != current) {
                to.onClientClosed();
                return false;
            }
            handOvers++;
            current = to;
            return true;
        }
    }
}
