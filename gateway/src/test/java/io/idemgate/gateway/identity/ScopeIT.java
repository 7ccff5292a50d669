package io.idemgate.gateway.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.idemgate.gateway.testsupport.Behaviour;
import io.idemgate.gateway.testsupport.PrometheusText;
import io.idemgate.gateway.testsupport.ProxyTestBed;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * SPEC §1 Scope: a request without any scope header is never silently pooled with every other such
 * client. {@code when-missing = reject} (the default) refuses it before any body is read or any record
 * claimed; {@code shared} pools it on purpose; {@code headers = []} is one scope by design.
 */
class ScopeIT {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static ProxyTestBed bed;
    private static int seq;
    private String key;

    @BeforeAll
    static void start() throws Exception {
        // when-missing is set explicitly: the test fixture defaults it to shared for the other suites.
        bed = ProxyTestBed.start(url -> """
                idemgate.routes = [
                  { name = strict, match.path = "/strict/**", upstream.urls = ["%1$s"],
                    idempotency.scope { headers = ["Authorization", "X-Api-Key"], when-missing = reject } }
                  { name = pooled, match.path = "/pooled/**", upstream.urls = ["%1$s"],
                    idempotency.scope.when-missing = shared }
                  { name = webhook, match.path = "/hooks/**", upstream.urls = ["%1$s"],
                    idempotency.scope { headers = [], when-missing = reject } }
                  { name = shadow, match.path = "/shadow/**", upstream.urls = ["%1$s"],
                    idempotency { mode = shadow, scope.when-missing = reject } }
                ]
                """.formatted(url));
    }

    @AfterAll
    static void stop() throws Exception {
        if (bed != null) {
            bed.close();
        }
    }

    @BeforeEach
    void freshKey() {
        key = "scope-" + (++seq) + "-" + System.nanoTime();
        bed.upstream().reset(Behaviour.created());
    }

    private HttpResponse<String> post(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(bed.gateway().uri(path)).timeout(WAIT)
                .POST(HttpRequest.BodyPublishers.ofString("{\"amount\":100}"))
                .header("Content-Type", "application/json").header("Idempotency-Key", key);
        if (headers.length > 0) {
            b.headers(headers);
        }
        return bed.gateway().client().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static double outcome(String route, String outcome) throws Exception {
        return PrometheusText.of(bed.gateway().get(bed.gateway().adminUri("/metrics")).body())
                .value("idemgate_requests_total", "route", route, "outcome", outcome);
    }

    @Test
    void aRequestWithNoScopeHeaderIsRefusedWith400NamingTheHeadersAndNothingRuns() throws Exception {
        double before = outcome("strict", "scope_required");
        HttpResponse<String> r = post("/strict/orders");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(r.body()).contains("urn:idemgate:problem:scope-required").contains("Authorization, X-Api-Key");
        assertThat(bed.upstream().requestCount()).isZero();
        assertThat(outcome("strict", "scope_required")).isEqualTo(before + 1);

        // Not a record either: the same key with a scope header now executes.
        assertThat(post("/strict/orders", "X-Api-Key", "k1").statusCode()).isEqualTo(201);
        assertThat(bed.upstream().requestCount()).isEqualTo(1);
    }

    @Test
    void aBlankScopeHeaderCountsAsMissing() throws Exception {
        assertThat(post("/strict/orders", "Authorization", " ").statusCode()).isEqualTo(400);
        assertThat(bed.upstream().requestCount()).isZero();
    }

    @Test
    void anyOneOfTheScopeHeadersIsEnoughAndEachClientKeepsItsOwnRecord() throws Exception {
        HttpResponse<String> alice = post("/strict/orders", "X-Api-Key", "alice");
        HttpResponse<String> bob = post("/strict/orders", "X-Api-Key", "bob");
        HttpResponse<String> aliceAgain = post("/strict/orders", "X-Api-Key", "alice");
        assertThat(alice.statusCode()).isEqualTo(201);
        assertThat(bob.body()).isNotEqualTo(alice.body());
        assertThat(aliceAgain.body()).isEqualTo(alice.body());
        assertThat(aliceAgain.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(bed.upstream().requestCount()).isEqualTo(2);
    }

    @Test
    void sharedPoolsClientsWithoutScopeHeadersOnPurpose() throws Exception {
        HttpResponse<String> first = post("/pooled/orders");
        HttpResponse<String> other = post("/pooled/orders");
        assertThat(first.statusCode()).isEqualTo(201);
        assertThat(other.body()).isEqualTo(first.body());
        assertThat(other.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(bed.upstream().requestCount()).isEqualTo(1);
    }

    @Test
    void anEmptyHeaderListIsOneScopePerRouteAndNeedsNoWhenMissing() throws Exception {
        HttpResponse<String> first = post("/hooks/events", "Authorization", "Bearer sender-1");
        HttpResponse<String> redelivery = post("/hooks/events", "Authorization", "Bearer sender-2");
        HttpResponse<String> bare = post("/hooks/events");
        assertThat(first.statusCode()).isEqualTo(201);
        assertThat(redelivery.body()).isEqualTo(first.body());
        assertThat(bare.body()).isEqualTo(first.body());
        assertThat(bed.upstream().requestCount()).isEqualTo(1);
    }

    @Test
    void shadowModeEnforcesNothingAndRecordsNothingItCannotScope() throws Exception {
        assertThat(post("/shadow/orders").statusCode()).isEqualTo(201);
        assertThat(post("/shadow/orders").statusCode()).isEqualTo(201);
        assertThat(bed.upstream().requestCount()).isEqualTo(2);
        assertThat(outcome("shadow", "shadow_duplicate")).isZero();
    }
}
