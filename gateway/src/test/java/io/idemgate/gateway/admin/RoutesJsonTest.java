package io.idemgate.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.idemgate.gateway.config.IdempotencyConfig;
import io.idemgate.gateway.config.MatchConfig;
import io.idemgate.gateway.config.RouteConfig;
import io.idemgate.gateway.config.StatusSet;
import io.idemgate.gateway.config.UpstreamConfig;
import io.idemgate.gateway.idempotency.FingerprintPolicy;
import io.idemgate.gateway.idempotency.KeyPolicy;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RoutesJsonTest {

    static RouteConfig paymentsRoute() {
        return new RouteConfig("payments",
                new MatchConfig(Optional.empty(), "/v1/payments/**", Set.of("POST", "GET")),
                new UpstreamConfig(List.of(URI.create("http://127.0.0.1:8081")), Duration.ofSeconds(2),
                        Duration.ofSeconds(30), 64, 128, Duration.ofSeconds(60)),
                new IdempotencyConfig(IdempotencyConfig.Mode.KEY, Set.of("POST", "PATCH"),
                        new KeyPolicy("Idempotency-Key", "", true, 255, false),
                        new IdempotencyConfig.Scope(List.of("Authorization"), IdempotencyConfig.WhenMissing.REJECT),
                        new FingerprintPolicy(List.of(), true, List.of("/meta/sent_at")),
                        Duration.ofHours(24), Duration.ofSeconds(30), IdempotencyConfig.Concurrent.WAIT,
                        Duration.ofSeconds(10), StatusSet.parse(List.of("2xx", "4xx")),
                        StatusSet.parse(List.of("408", "409", "425", "429")), 1 << 20, 1 << 20,
                        IdempotencyConfig.OutcomeUnknown.REEXECUTE, "", IdempotencyConfig.OnStoreFailure.FAIL_CLOSED,
                        new IdempotencyConfig.Replay(List.of())));
    }

    @Test
    void everyFieldOfARouteIsRenderedWithItsConfigKey() throws IOException {
        String json = RoutesJson.render(List.of(paymentsRoute()));

        List<String> fields = new ArrayList<>();
        try (JsonParser p = new JsonFactory().createParser(json)) {
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                if (t == JsonToken.FIELD_NAME) {
                    fields.add(p.currentName());
                }
            }
        }
        assertThat(fields).containsExactly("routes", "name",
                "match", "host", "path", "methods",
                "upstream", "urls", "connect-timeout", "response-timeout", "max-connections", "max-pending-acquires",
                "pool-idle-timeout",
                "idempotency", "mode", "methods", "key", "header", "json-pointer", "required", "max-length", "strict",
                "scope", "headers", "when-missing", "replay", "exclude-headers", "fingerprint", "headers", "json", "ignore-json-fields", "ttl", "lease",
                "concurrent", "wait-timeout", "store-status", "release-status", "max-request-body",
                "max-response-body", "outcome-unknown", "fence-header", "on-store-failure");
        assertThat(json)
                .contains("\"host\" : null")
                .contains("\"methods\" : [ \"GET\", \"POST\" ]")
                .contains("\"ttl\" : \"1d\"")
                .contains("\"response-timeout\" : \"30s\"")
                .contains("\"release-status\" : [ \"408\", \"409\", \"425\", \"429\" ]")
                .contains("\"max-request-body\" : 1048576")
                .contains("\"mode\" : \"key\"")
                .contains("\"outcome-unknown\" : \"reexecute\"")
                .contains("\"when-missing\" : \"reject\"");
    }

    @Test
    void durationsUseTheLargestExactUnit() {
        assertThat(RoutesJson.duration(Duration.ofMillis(250))).isEqualTo("250ms");
        assertThat(RoutesJson.duration(Duration.ofMinutes(90))).isEqualTo("90m");
        assertThat(RoutesJson.duration(Duration.ofHours(24))).isEqualTo("1d");
        assertThat(RoutesJson.duration(Duration.ZERO)).isEqualTo("0s");
        assertThat(RoutesJson.duration(Duration.ofNanos(1500))).isEqualTo("1500ns");
    }

    @Test
    void noRoutesIsAnEmptyList() {
        assertThat(RoutesJson.render(List.of()).replaceAll("\\s", "")).isEqualTo("{\"routes\":[]}");
    }
}
