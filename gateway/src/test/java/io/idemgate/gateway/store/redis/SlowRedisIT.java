package io.idemgate.gateway.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.idemgate.gateway.testsupport.Behaviour;
import io.idemgate.gateway.testsupport.GatewayFixture;
import io.idemgate.gateway.testsupport.RedisServer;
import io.idemgate.gateway.testsupport.TestUpstream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * SPEC §2 with a Redis that stalls rather than dies ({@code DEBUG SLEEP}): connections stay up, answers stop.
 * A fail-closed route answers 503 within about command-timeout, the circuit opens so later 503s are
 * immediate, and the gateway recovers by itself once Redis answers again.
 */
class SlowRedisIT {

    private static final Duration STALL = Duration.ofSeconds(2);
    private RedisServer redis;
    private TestUpstream upstream;
    private GatewayFixture gateway;
    private int keys;

    @BeforeEach
    void start() throws Exception {
        redis = RedisServer.start();
        upstream = TestUpstream.start();
        upstream.handle(Behaviour.created());
        gateway = GatewayFixture.start("""
                idemgate.store { type = redis, redis { uri = "%s", command-timeout = 250ms } }
                idemgate.routes = [ { name = payments, match.path = "/v1/**", upstream.urls = ["%s"] } ]
                """.formatted(redis.uri(), upstream.url()));
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {gateway, upstream, redis}) {
            if (c != null) {
                c.close();
            }
        }
    }

    @Test
    void stalledRedisGets503WithinCommandTimeoutThenFast503sFromTheOpenCircuitThenRecovers() throws Exception {
        assertThat(post().statusCode()).isEqualTo(201);
        assertThat(circuitState()).isZero();

        CompletableFuture<Void> stall = CompletableFuture.runAsync(() -> redis.debugSleep(STALL));
        Thread.sleep(100); // let the DEBUG SLEEP reach the server first

        long start = System.nanoTime();
        HttpResponse<String> first = post();
        assertThat(first.statusCode()).isEqualTo(503);
        assertThat(first.headers().firstValue("Retry-After")).isPresent();
        assertThat(elapsed(start)).isLessThan(Duration.ofMillis(1500));

        // Consecutive timeouts open the circuit; from then on a 503 costs no store round trip.
        Awaitility.await().atMost(Duration.ofMillis(1500)).pollInterval(Duration.ZERO)
                .until(() -> post().statusCode() == 503 && circuitState() == 1);
        long fast = System.nanoTime();
        assertThat(post().statusCode()).isEqualTo(503);
        assertThat(elapsed(fast)).isLessThan(Duration.ofMillis(100));
        assertThat(gateway.get(gateway.adminUri("/readyz")).statusCode()).isEqualTo(503);

        stall.join();
        Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
                .until(() -> post().statusCode() == 201);
        assertThat(circuitState()).isZero();
        assertThat(gateway.get(gateway.adminUri("/readyz")).statusCode()).isEqualTo(200);
    }

    private HttpResponse<String> post() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(gateway.uri("/v1/pay")).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").header("Idempotency-Key", "k-" + keys++)
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build();
        return gateway.client().send(request, HttpResponse.BodyHandlers.ofString());
    }

    private double circuitState() throws Exception {
        return gateway.scrapeMetrics().value("idemgate_store_circuit_state");
    }

    private static Duration elapsed(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }
}
