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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two gateways in front of one upstream share one Redis: a key executes once, whichever gateway sees it. */
class SharedRedisStoreIT {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static RedisServer redis;
    private static TestUpstream upstream;
    private static GatewayFixture first;
    private static GatewayFixture second;
    private static int keySeq;
    private String key;

    @BeforeAll
    static void start() throws Exception {
        redis = RedisServer.start();
        upstream = TestUpstream.start();
        String config = """
                idemgate.store { type = redis, redis { uri = "%s", command-timeout = 250ms } }
                idemgate.routes = [ { name = pay, match.path = "/pay/**", upstream.urls = ["%s"],
                  idempotency { wait-timeout = 5s } } ]
                """.formatted(redis.uri(), upstream.url());
        first = GatewayFixture.start(config);
        second = GatewayFixture.start(config);
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable closeable : new AutoCloseable[] {first, second, upstream}) {
            if (closeable != null) {
                closeable.close();
            }
        }
        if (redis != null) {
            redis.stop();
        }
    }

    @BeforeEach
    void freshKey() {
        key = "shared-" + (++keySeq) + "-" + System.nanoTime();
        upstream.handle(Behaviour.created());
        upstream.clearRequests();
    }

    @Test
    void aRetryOnAnotherGatewayIsReplayedFromRedis() throws Exception {
        HttpResponse<String> original = post(first, "{\"sku\":\"tea\"}").join();
        HttpResponse<String> retry = post(second, "{\"sku\":\"tea\"}").join();

        assertThat(original.statusCode()).isEqualTo(201);
        assertThat(retry.statusCode()).isEqualTo(201);
        assertThat(retry.body()).isEqualTo(original.body());
        assertThat(retry.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(upstream.requestCount()).isEqualTo(1);
    }

    @Test
    void aRetryOnAnotherGatewayWhileTheFirstIsInFlightWaitsAndGetsTheSameAnswer() throws Exception {
        upstream.handle(Behaviour.delay(Duration.ofMillis(500), Behaviour.created()));
        CompletableFuture<HttpResponse<String>> original = post(first, "{}");
        upstream.awaitRequests(1, WAIT);

        HttpResponse<String> retry = post(second, "{}").join();

        assertThat(retry.statusCode()).isEqualTo(201);
        assertThat(retry.body()).isEqualTo(original.join().body());
        assertThat(upstream.requestCount()).isEqualTo(1);
    }

    @Test
    void aDifferentPayloadOnAnotherGatewayGets422() throws Exception {
        post(first, "{\"sku\":\"tea\"}").join();

        assertThat(post(second, "{\"sku\":\"coffee\"}").join().statusCode()).isEqualTo(422);
    }

    private CompletableFuture<HttpResponse<String>> post(GatewayFixture gateway, String body) {
        HttpRequest request = HttpRequest.newBuilder(gateway.uri("/pay/orders")).timeout(WAIT)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json").header("Idempotency-Key", key).build();
        return gateway.client().sendAsync(request, HttpResponse.BodyHandlers.ofString());
    }
}
