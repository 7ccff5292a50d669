package io.idemgate.gateway.upstream;

import io.idemgate.gateway.config.UpstreamConfig;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.Future;
import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;

/** The origins of one route, picked round-robin. Thread-safe; each acquire runs on the caller's loop. */
public final class UpstreamGroup {

    private final Origin[] origins;
    private final AtomicInteger next = new AtomicInteger();

    /** @param tls the route's client TLS context, used for its https urls; null when it has none */
    UpstreamGroup(UpstreamConfig config, Bootstrap template, SslContext tls, int eventLoops) {
        int maxOpenPerLoop = Math.max(1, ceilDiv(config.maxConnections(), eventLoops));
        int maxWaitersPerLoop = Math.max(0, ceilDiv(config.maxPendingAcquires(), eventLoops));
        long waitMillis = config.connectTimeout().toMillis();
        this.origins = new Origin[config.urls().size()];
        for (int i = 0; i < origins.length; i++) {
            URI url = config.urls().get(i);
            boolean https = "https".equals(url.getScheme());
            Bootstrap bootstrap = template.clone().handler(new UpstreamChannelInitializer(config.poolIdleTimeout(),
                    https ? tls : null, url.getHost(), url.getPort(), config.connectTimeout()));
            origins[i] = new Origin(url, bootstrap, maxOpenPerLoop, maxWaitersPerLoop, waitMillis);
        }
    }

    /** Must be called on {@code loop}; the connection (or the failure) is delivered on it. */
    public Future<UpstreamConnection> acquire(EventLoop loop) {
        Origin origin = origins.length == 1 ? origins[0] : origins[Math.floorMod(next.getAndIncrement(), origins.length)];
        return origin.pool(loop).acquire();
    }

    void close() {
        for (Origin o : origins) {
            o.close();
        }
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
