package io.idemgate.gateway.upstream;

import io.idemgate.gateway.config.RouteConfig;
import io.idemgate.gateway.config.UpstreamConfig;
import io.idemgate.gateway.tls.TlsFileException;
import io.idemgate.gateway.tls.UpstreamTls;
import io.idemgate.gateway.transport.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.handler.ssl.SslContext;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the connection pools to every route's upstreams. One per route table: a reload builds a new
 * one and closes the old one's idle connections.
 */
public final class UpstreamClient {

    private static final Logger log = LoggerFactory.getLogger(UpstreamClient.class);

    private final Map<String, UpstreamGroup> groups = new HashMap<>();

    /** @throws IllegalStateException when a route's TLS files cannot be used (the message names the key) */
    public UpstreamClient(List<RouteConfig> routes, Transport transport, int eventLoops) {
        for (RouteConfig route : routes) {
            Bootstrap template = bootstrap(route, transport);
            groups.put(route.name(), new UpstreamGroup(route.upstream(), template, tls(route), eventLoops));
        }
    }

    /** The route's client TLS context when any of its urls is https, else null. */
    private static SslContext tls(RouteConfig route) {
        UpstreamConfig upstream = route.upstream();
        if (upstream.urls().stream().noneMatch(u -> "https".equals(u.getScheme()))) {
            return null;
        }
        if (!upstream.tls().verify()) {
            log.warn("route {}: upstream.tls.verify = false: any certificate is accepted from {}; for testing only",
                    route.name(), upstream.urls());
        }
        try {
            return UpstreamTls.clientContext(upstream.tls());
        } catch (TlsFileException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** @return the route's upstream group, or null for an unknown route name */
    public UpstreamGroup forRoute(String routeName) {
        return groups.get(routeName);
    }

    public void close() {
        groups.values().forEach(UpstreamGroup::close);
    }

    private static Bootstrap bootstrap(RouteConfig route, Transport transport) {
        return new Bootstrap()
                .channel(transport.socketChannelType())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, route.upstream().connectTimeout().toMillis()))
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true); // the handler is each origin's own: TLS needs its host
    }
}
