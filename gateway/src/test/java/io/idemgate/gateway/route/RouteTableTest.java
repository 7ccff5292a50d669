package io.idemgate.gateway.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.idemgate.gateway.config.IdempotencyConfig;
import io.idemgate.gateway.config.MatchConfig;
import io.idemgate.gateway.config.RouteConfig;
import io.idemgate.gateway.config.StatusSet;
import io.idemgate.gateway.config.UpstreamConfig;
import io.idemgate.gateway.idempotency.FingerprintPolicy;
import io.idemgate.gateway.idempotency.KeyPolicy;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RouteTableTest {

    static RouteConfig route(String name, String host, String path, Set<String> methods) {
        UpstreamConfig upstream = new UpstreamConfig(List.of(URI.create("http://127.0.0.1:1")),
                Duration.ofSeconds(1), Duration.ofSeconds(1), 8, 8, Duration.ofSeconds(60));
        IdempotencyConfig idem = new IdempotencyConfig(IdempotencyConfig.Mode.OFF, Set.of("POST"),
                new KeyPolicy("Idempotency-Key", "", true, 255, false), new IdempotencyConfig.Scope(List.of("Authorization"), IdempotencyConfig.WhenMissing.REJECT),
                new FingerprintPolicy(List.of(), true, List.of()), Duration.ofHours(24),
                Duration.ofSeconds(30), IdempotencyConfig.Concurrent.WAIT, Duration.ofSeconds(10),
                StatusSet.parse(List.of("2xx", "4xx")), StatusSet.parse(List.of("408", "409", "425", "429")),
                1 << 20, 1 << 20, IdempotencyConfig.OutcomeUnknown.REEXECUTE, "",
                IdempotencyConfig.OnStoreFailure.FAIL_CLOSED, new IdempotencyConfig.Replay(List.of()));
        return new RouteConfig(name, new MatchConfig(Optional.ofNullable(host), path, methods), upstream, idem);
    }

    private final RouteTable table = new RouteTable(List.of(
            route("payments-api", "api.example.com", "/v1/payments/**", Set.of("POST")),
            route("payments", null, "/v1/payments/**", Set.of("POST", "GET")),
            route("fallback", null, "/**", Set.of())));

    @Test
    void firstMatchingRouteWins() {
        assertThat(table.match("api.example.com", "/v1/payments/1", "POST").name()).isEqualTo("payments-api");
        assertThat(table.match("other.example.com", "/v1/payments/1", "POST").name()).isEqualTo("payments");
    }

    @Test
    void hostMatchIgnoresPortAndCase() {
        assertThat(table.match("API.Example.com:8443", "/v1/payments", "POST").name()).isEqualTo("payments-api");
    }

    @Test
    void methodsNarrowTheMatch() {
        assertThat(table.match("api.example.com", "/v1/payments/1", "GET").name()).isEqualTo("payments");
        assertThat(table.match(null, "/v1/payments/1", "DELETE").name()).isEqualTo("fallback");
    }

    @Test
    void noMatchGivesNull() {
        RouteTable narrow = new RouteTable(List.of(route("only", null, "/v1/**", Set.of())));
        assertThat(narrow.match(null, "/v2/x", "GET")).isNull();
    }

    @Test
    void withoutHostRulesAnyHostMatchesAndAHostRuleStillSeesTheNormalisedHost() {
        RouteTable anyHost = new RouteTable(List.of(route("any", null, "/v1/**", Set.of())));
        for (String host : new String[] {null, "", "API.example.com:8443", "[::1]:80", "a"}) {
            assertThat(anyHost.match(host, "/v1/orders", "POST").name()).as(String.valueOf(host)).isEqualTo("any");
        }
        RouteTable mixed = new RouteTable(List.of(route("api", "api.example.com", "/v1/**", Set.of()),
                route("any", null, "/v1/**", Set.of())));
        assertThat(mixed.match("API.example.com:8443", "/v1/orders", "POST").name()).isEqualTo("api");
        assertThat(mixed.match("other:80", "/v1/orders", "POST").name()).isEqualTo("any");
    }

    @Test
    void ipv6HostsKeepTheirBrackets() {
        assertThat(RouteTable.normalizeHost("[::1]:8080")).isEqualTo("[::1]");
        assertThat(RouteTable.normalizeHost(null)).isNull();
    }
}
