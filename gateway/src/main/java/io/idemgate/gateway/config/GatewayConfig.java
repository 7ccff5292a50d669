package io.idemgate.gateway.config;

import java.util.List;
import java.util.Objects;

/** The whole validated configuration of one gateway process. Immutable; built only by {@link ConfigLoader}. */
public record GatewayConfig(
        ServerConfig server,
        AdminConfig admin,
        StoreConfig store,
        LoggingConfig logging,
        ReloadConfig reload,
        List<RouteConfig> routes,
        String origin) {

    public GatewayConfig {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(admin, "admin");
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(logging, "logging");
        Objects.requireNonNull(reload, "reload");
        routes = List.copyOf(routes);
        Objects.requireNonNull(origin, "origin");
    }
}
