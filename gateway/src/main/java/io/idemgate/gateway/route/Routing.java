package io.idemgate.gateway.route;

import io.idemgate.gateway.upstream.UpstreamClient;

/** The route rules and the upstream pools built for them; swapped as one on reload. */
public record Routing(RouteTable table, UpstreamClient upstreams) {
}
