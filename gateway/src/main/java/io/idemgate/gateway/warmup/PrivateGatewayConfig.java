package io.idemgate.gateway.warmup;

import io.idemgate.gateway.config.AdminConfig;
import io.idemgate.gateway.config.ConfigLoader;
import io.idemgate.gateway.config.GatewayConfig;
import io.idemgate.gateway.config.IdempotencyConfig;
import io.idemgate.gateway.config.ReloadConfig;
import io.idemgate.gateway.config.RouteConfig;
import io.idemgate.gateway.config.ServerConfig;
import io.idemgate.gateway.config.StoreConfig;
import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * The warm-up's gateway: the real one's listener settings and logging, but on an ephemeral loopback port,
 * cleartext, with an embedded memory store of its own and two routes to the loopback upstream only.
 * Nothing of the real config that reaches outside the process (upstreams, store, TLS files, JWKS) is kept.
 */
final class PrivateGatewayConfig {

    /** A path like real ones: the pass-through route takes every path (as the image's and many configs' do). */
    static final String PASS_PATH = "/v1/orders";
    static final String IDEMPOTENT_PATH = "/warm-up/orders";
    static final String SCOPE_HEADER = "Authorization";
    private static final String LOOPBACK = "127.0.0.1";
    /** Records expire at once, so the store stays small whatever the request rate; keys are never reused. */
    private static final String ROUTES = """
            idemgate {
              server { host = "127.0.0.1", port = 0 }
              admin { host = "127.0.0.1", port = 0 }
              store.type = memory
              routes = [
                { name = warm-up-orders, match.path = "%s/**", upstream.urls = ["%s"]
                  idempotency { mode = key, scope.headers = ["%s"], ttl = 1s, lease = 1s, concurrent = wait } }
                { name = warm-up-pass, match.path = "/**", upstream.urls = ["%s"], idempotency.mode = off }
              ]
            }
            """;
    /** Records at most: a full store would answer 503 and warn in the real log. */
    private static final int MAX_RECORDS = 100_000;

    private PrivateGatewayConfig() {
    }

    static GatewayConfig of(GatewayConfig real, int upstreamPort) {
        URI upstream = URI.create("http://" + LOOPBACK + ":" + upstreamPort);
        GatewayConfig parsed = ConfigLoader.parse(ROUTES.formatted(IDEMPOTENT_PATH, upstream, SCOPE_HEADER,
                upstream), "warm-up");
        // System properties overlay every parsed config (-Didemgate.routes=..., defaults with a JWKS url):
        // whatever they say, the warm-up reaches nothing but its own upstream.
        for (RouteConfig route : parsed.routes()) {
            IdempotencyConfig idem = route.idempotency();
            if (!route.upstream().urls().equals(List.of(upstream))
                    || (idem.mode() != IdempotencyConfig.Mode.OFF && idem.scope().jwt().isPresent())) {
                throw new IllegalStateException("system properties change the warm-up's route " + route.name()
                        + " to reach outside the process; warm-up skipped");
            }
        }
        ServerConfig s = real.server();
        ServerConfig server = new ServerConfig(LOOPBACK, 0, s.ioThreads(), s.idleTimeout(), s.maxInitialLineLength(),
                s.maxHeaderSize(), s.maxChunkSize(), Duration.ZERO, s.viaName(), s.requestHeaderTimeout(),
                s.requestBodyTimeout(), s.maxBufferedRequestBytes(), null, s.h2c(), s.http2(), Duration.ZERO);
        StoreConfig store = new StoreConfig(StoreConfig.Type.MEMORY, new StoreConfig.Memory(MAX_RECORDS, 0),
                parsed.store().redis());
        return new GatewayConfig(server, new AdminConfig(LOOPBACK, 0, "", null), store, real.logging(),
                new ReloadConfig(false), parsed.routes(), "warm-up");
    }
}
