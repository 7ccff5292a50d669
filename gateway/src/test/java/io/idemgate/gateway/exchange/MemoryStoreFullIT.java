package io.idemgate.gateway.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import io.idemgate.gateway.testsupport.Behaviour;
import io.idemgate.gateway.testsupport.PrometheusText;
import io.idemgate.gateway.testsupport.ProxyTestBed;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue #10, item 5, through the gateway: another client filling the memory store can never get a victim's
 * completed operation executed again; a full store is a store failure, answered by the route's
 * {@code on-store-failure}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MemoryStoreFullIT {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private ProxyTestBed bed;

    @BeforeAll
    void start() throws Exception {
        bed = ProxyTestBed.start(url -> """
                idemgate.store { type = memory, memory.max-entries = 5 }
                idemgate.routes = [
                  { name = closed, match.path = "/closed/**", upstream.urls = ["%1$s"] }
                  { name = open, match.path = "/open/**", upstream.urls = ["%1$s"],
                    idempotency.on-store-failure = fail-open }
                ]
                """.formatted(url));
        bed.upstream().reset(Behaviour.created());
    }

    @AfterAll
    void stop() throws Exception {
        if (bed != null) {
            bed.close();
        }
    }

    @Test
    void aVictimsCompletedPaymentStillReplaysAfterAnotherClientFilledTheStore() throws Exception {
        assertThat(post("/closed/pay", "victim").statusCode()).isEqualTo(201);
        int executed = bed.upstream().requestCount();

        // The attacker makes records until the store is full; the store refuses instead of evicting.
        int refused = 0;
        for (int i = 0; i < 10; i++) {
            HttpResponse<String> r = post("/closed/pay", "attacker-" + i);
            if (r.statusCode() == 503) {
                refused++;
                assertThat(r.headers().firstValue("Retry-After")).isPresent();
            }
        }
        assertThat(refused).as("fail-closed: 503 once full").isPositive();

        HttpResponse<String> retry = post("/closed/pay", "victim");
        assertThat(retry.statusCode()).isEqualTo(201);
        assertThat(retry.headers().firstValue("Idempotent-Replayed")).hasValue("true");

        // fail-open: a full store passes the request through, counted.
        HttpResponse<String> open = post("/open/pay", "someone-else");
        assertThat(open.statusCode()).isEqualTo(201);
        assertThat(bed.upstream().requestCount()).isEqualTo(executed + (10 - refused) + 1);
        String metrics = bed.gateway().get(bed.gateway().adminUri("/metrics")).body();
        assertThat(PrometheusText.of(metrics).sum("idemgate_store_fill_ratio")).isEqualTo(1.0);
    }

    private HttpResponse<String> post(String path, String key) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(bed.gateway().uri(path)).timeout(WAIT)
                .POST(HttpRequest.BodyPublishers.ofString("{\"k\":\"" + key + "\"}"))
                .header("Content-Type", "application/json").header("Idempotency-Key", key).build();
        return bed.gateway().client().send(request, HttpResponse.BodyHandlers.ofString());
    }
}
