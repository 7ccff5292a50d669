package io.idemgate.gateway.admin;

import io.idemgate.gateway.config.RouteConfig;
import io.idemgate.gateway.reload.ReloadResult;
import io.netty.handler.codec.http.HttpMethod;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/** The admin port's routing table: exact path, then method. Immutable once built. */
public final class AdminEndpoints {

    /** @param requiresToken whether the request must carry {@code Authorization: Bearer <admin.token>} */
    public record Endpoint(HttpMethod method, String path, AdminHandlerFunction handler, boolean requiresToken) {

        public Endpoint {
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(handler, "handler");
            if (!path.startsWith("/")) {
                throw new IllegalArgumentException("admin path must start with '/': " + path);
            }
        }
    }

    private final Map<String, Map<HttpMethod, Endpoint>> byPath;

    private AdminEndpoints(Map<String, Map<HttpMethod, Endpoint>> byPath) {
        this.byPath = byPath;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** @return the endpoints at {@code path} by method, or {@code null} when nothing is mounted there */
    Map<HttpMethod, Endpoint> at(String path) {
        return byPath.get(path);
    }

    /** Collects endpoints; the standard ones of SPEC §4 have their own methods. */
    public static final class Builder {

        private final Map<String, Map<HttpMethod, Endpoint>> byPath = new LinkedHashMap<>();

        private Builder() {
        }

        public Builder route(HttpMethod method, String path, AdminHandlerFunction handler, boolean requiresToken) {
            Endpoint e = new Endpoint(method, path, handler, requiresToken);
            Endpoint previous = byPath.computeIfAbsent(path, p -> new LinkedHashMap<>()).putIfAbsent(method, e);
            if (previous != null) {
                throw new IllegalArgumentException("two admin endpoints for " + method + " " + path);
            }
            return this;
        }

        /** {@code GET /healthz}: the process is alive and its event loop answers. */
        public Builder health() {
            return route(HttpMethod.GET, "/healthz", new HealthEndpoint(), false);
        }

        /** {@code GET /readyz}: 200 or 503 from {@code check}. */
        public Builder readiness(ReadinessCheck check) {
            return route(HttpMethod.GET, "/readyz", new ReadinessEndpoint(check), false);
        }

        /** {@code GET /metrics}: Prometheus text, or OpenMetrics when the {@code Accept} header asks for it. */
        public Builder metrics(PrometheusRegistry registry) {
            return route(HttpMethod.GET, "/metrics", new MetricsEndpoint(registry), false);
        }

        /** {@code GET /admin/routes}: the effective routes; the supplier is asked per request so reloads show. */
        public Builder routes(Supplier<List<RouteConfig>> routes) {
            return route(HttpMethod.GET, "/admin/routes", new RoutesEndpoint(routes), false);
        }

        /**
         * {@code POST /admin/reload} (token required): {@code reload} starts a reload off the event loop.
         * Null mounts nothing: a gateway started without a config file has nothing to reload.
         */
        public Builder reload(Supplier<CompletionStage<ReloadResult>> reload) {
            return reload == null ? this : route(HttpMethod.POST, "/admin/reload", new ReloadEndpoint(reload), true);
        }

        public AdminEndpoints build() {
            Map<String, Map<HttpMethod, Endpoint>> copy = new LinkedHashMap<>();
            byPath.forEach((path, methods) -> copy.put(path, Collections.unmodifiableMap(new LinkedHashMap<>(methods))));
            return new AdminEndpoints(Collections.unmodifiableMap(copy));
        }
    }
}
