package io.idemgate.gateway.upstream;

import io.idemgate.gateway.config.RouteConfig;
import io.idemgate.gateway.transport.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the connection pools to every route's upstreams. One per route table: a reload builds a new
 * one and closes the old one's idle connections.
 */
public final class UpstreamClient {

    private final Map<String, UpstreamGroup> groups = new HashMap<>();

    public UpstreamClient(List<RouteConfig> routes, Transport transport, int eventLoops) {
        for (RouteConfig route : routes) {
            Bootstrap template = bootstrap(route, transport);
            groups.put(route.name(), new UpstreamGroup(route.upstream(), template, eventLoops));
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
                .option(ChannelOption.SO_KEEPALIVE, true)
                .handler(new UpstreamChannelInitializer(route.upstream().poolIdleTimeout()));
    }
}
