package io.idemgate.gateway.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import io.idemgate.gateway.testsupport.Behaviour;
import io.idemgate.gateway.testsupport.PrometheusText;
import io.idemgate.gateway.testsupport.ProxyTestBed;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Gaps of issue #13: a live owner renews its lease while the upstream outlasts it (no takeover, no lost
 * lease); a 5xx or 429 releases the key, told apart from outcome-unknown on a route that does not
 * re-execute; {@code Retry-After} carries a usable number of seconds.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LeaseAndReleaseIT {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private ProxyTestBed bed;
    private int keySeq;

    @BeforeAll
    void start() throws Exception {
        bed = ProxyTestBed.start(url -> """
                idemgate.routes = [
                  { name = slow, match.path = "/slow/**", upstream.urls = ["%1$s"], upstream.response-timeout = 10s,
                    idempotency { lease = 300ms, wait-timeout = 10s } }
                  { name = strict, match.path = "/strict/**", upstream.urls = ["%1$s"],
                    idempotency { outcome-unknown = reject, concurrent = reject } }
                ]
                """.formatted(url));
    }

    @AfterAll
    void stop() throws Exception {
        if (bed != null) {
            bed.close();
        }
    }

    @Test
    void aLiveOwnerRenewsItsLeaseWhileTheUpstreamOutlastsIt() throws Exception {
        bed.upstream().reset(Behaviour.delay(Duration.ofMillis(1_500), Behaviour.created()));
        String key = key();
        double lostBefore = metric("idemgate_lease_lost_total");

        CompletableFuture<HttpResponse<String>> first = postAsync("/slow/pay", key);
        Awaitility.await().atMost(WAIT).until(() -> bed.upstream().requestCount() == 1);
        Thread.sleep(600); // two leases long: only renewals keep the key; a lapsed lease would be taken over
        HttpResponse<String> duplicate = postAsync("/slow/pay", key).get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);

        assertThat(first.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS).statusCode()).isEqualTo(201);
        assertThat(duplicate.statusCode()).isEqualTo(201);
        assertThat(duplicate.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(bed.upstream().requestCount()).as("the duplicate waited, it did not take over").isEqualTo(1);
        assertThat(metric("idemgate_lease_lost_total")).isEqualTo(lostBefore);
    }

    @Test
    void a5xxReleasesTheKeyEvenWhereOutcomeUnknownIsRejected() throws Exception {
        // On a reject route an outcome-unknown record answers 409; a released one executes again.
        for (int status : new int[] {503, 429}) {
            bed.upstream().reset(Behaviour.respond(status, "busy"));
            String key = key();
            assertThat(post("/strict/pay", key).statusCode()).isEqualTo(status);

            bed.upstream().reset(Behaviour.created());
            HttpResponse<String> retry = post("/strict/pay", key);
            assertThat(retry.statusCode()).as("after %d the retry executes, no 409 outcome-unknown", status)
                    .isEqualTo(201);
            assertThat(retry.headers().firstValue("Idempotent-Replayed")).isEmpty();
        }
    }

    @Test
    void retryAfterIsAWholeNumberOfSecondsOfAtLeastOne() throws Exception {
        bed.upstream().reset(Behaviour.delay(Duration.ofMillis(1_000), Behaviour.created()));
        String key = key();
        CompletableFuture<HttpResponse<String>> first = postAsync("/strict/pay", key);
        Awaitility.await().atMost(WAIT).until(() -> bed.upstream().requestCount() >= 1);

        HttpResponse<String> conflict = post("/strict/pay", key);

        assertThat(conflict.statusCode()).isEqualTo(409);
        String retryAfter = conflict.headers().firstValue("Retry-After").orElseThrow();
        assertThat(retryAfter).matches("[1-9][0-9]*");
        assertThat(Integer.parseInt(retryAfter)).isBetween(1, 60);
        first.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
    }

    private String key() {
        return "lease-" + (++keySeq) + "-" + System.nanoTime();
    }

    private double metric(String name) throws Exception {
        return PrometheusText.of(bed.gateway().get(bed.gateway().adminUri("/metrics")).body()).sum(name);
    }

    private HttpResponse<String> post(String path, String key) throws Exception {
        return bed.gateway().client().send(request(path, key), HttpResponse.BodyHandlers.ofString());
    }

    private CompletableFuture<HttpResponse<String>> postAsync(String path, String key) {
        return bed.gateway().client().sendAsync(request(path, key), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest request(String path, String key) {
        return HttpRequest.newBuilder(bed.gateway().uri(path)).timeout(WAIT)
                .POST(HttpRequest.BodyPublishers.ofString("{\"k\":1}"))
                .header("Content-Type", "application/json").header("Idempotency-Key", key).build();
    }
}
