package io.idemgate.gateway.reload;

import static org.assertj.core.api.Assertions.assertThat;

import io.idemgate.gateway.config.ConfigLoader;
import io.idemgate.gateway.config.GatewayConfig;
import org.junit.jupiter.api.Test;

class RestartOnlySettingsTest {

    private static final String ROUTE = "idemgate.routes = [ { name = a, match.path = \"/**\", "
            + "upstream.urls = [\"http://127.0.0.1:1\"] } ]\n";

    private static GatewayConfig parse(String hocon) {
        return ConfigLoader.parse(hocon, "test.conf");
    }

    @Test
    void routeAndDefaultChangesNeedNoRestart() {
        GatewayConfig running = parse(ROUTE);
        GatewayConfig next = parse(ROUTE.replace("127.0.0.1:1", "127.0.0.1:2")
                + "idemgate.defaults.idempotency.ttl = 1h\n");

        assertThat(RestartOnlySettings.changed(running, next)).isEmpty();
    }

    @Test
    void everyOtherChangedKeyIsNamedByItsConfigPath() {
        GatewayConfig running = parse(ROUTE);
        GatewayConfig next = parse(ROUTE + """
                idemgate.server.max-initial-line-length = 4k
                idemgate.admin.port = 9191
                idemgate.store.redis { uri = ["redis://a:1", "redis://b:2"], mode = cluster }
                idemgate.store.memory.max-entries = 5
                idemgate.logging.access-log = false
                idemgate.reload.watch-file = false
                """);

        assertThat(RestartOnlySettings.changed(running, next)).containsExactly(
                "idemgate.server.max-initial-line-length",
                "idemgate.admin.port",
                "idemgate.store.memory.max-entries",
                "idemgate.store.redis.uri",
                "idemgate.store.redis.mode",
                "idemgate.logging.access-log",
                "idemgate.reload.watch-file");
    }

    private static final String REDIS = "idemgate.store.type = redis\n";

    @Test
    void aRouteTtlBeyondTheRunningFenceRetentionIsNamedNotTheDerivedRetention() {
        GatewayConfig running = parse(REDIS + ROUTE);
        GatewayConfig next = parse(REDIS + ROUTE + "idemgate.defaults.idempotency.ttl = 48h\n");

        assertThat(RestartOnlySettings.changed(running, next)).containsExactly("idemgate.routes[0].idempotency.ttl");
    }

    @Test
    void aShorterTtlOrTheMemoryStoreNeedsNoRestartForFences() {
        String longTtl = "idemgate.defaults.idempotency.ttl = 48h\n";

        assertThat(RestartOnlySettings.changed(parse(REDIS + ROUTE + longTtl), parse(REDIS + ROUTE))).isEmpty();
        assertThat(RestartOnlySettings.changed(parse(ROUTE), parse(ROUTE + longTtl))).isEmpty();
    }
}
