package io.idemgate.gateway.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.idemgate.gateway.testsupport.Behaviour;
import io.idemgate.gateway.testsupport.GatewayFixture;
import io.idemgate.gateway.testsupport.RedisServer;
import io.idemgate.gateway.testsupport.TestUpstream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** SPEC §2: with Redis gone a fail-closed route answers 503 fast, a fail-open route proxies; both recover. */
class RedisOutageIT {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static RedisServer redis;
    private static TestUpstream upstream;
    private static GatewayFixture gateway;

    @BeforeAll
    static void start() throws Exception {
        redis = RedisServer.start();
        upstream = TestUpstream.start();
        upstream.handle(Behaviour.created());
        gateway = GatewayFixture.start("""
                idemgate.store { type = redis, redis { uri = "%1$s", command-timeout = 250ms } }
                idemgate.routes = [
                  { name = closed, match.path = "/closed/**", upstream.urls = ["%2$s"] }
                  { name = open, match.path = "/open/**", upstream.urls = ["%2$s"],
                    idempotency.on-store-failure = fail-open }
                ]
                """.formatted(redis.uri(), upstream.url()));
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable closeable : new AutoCloseable[] {gateway, upstream, redis}) {
            if (closeable != null) {
                closeable.close();
            }
        }
    }

    @Test
    void withRedisDownFailClosedAnswers503FastFailOpenProxiesAndBothRecover() throws Exception {
        redis.kill();
        try {
            long start = System.nanoTime();
            HttpResponse<String> closed = post("/closed/pay", "down-1");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
            assertThat(closed.statusCode()).isEqualTo(503);
            assertThat(closed.body()).contains("store-unavailable");

            assertThat(post("/open/pay", "down-2").statusCode()).isEqualTo(201);
        } finally {
            redis.restart();
        }

        Awaitility.await().atMost(WAIT).until(() -> post("/closed/pay", "up-1").statusCode() == 201);
        upstream.clearRequests();
        HttpResponse<String> retry = post("/closed/pay", "up-1");
        assertThat(retry.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(upstream.requestCount()).isZero();
    }

    private static HttpResponse<String> post(String path, String key) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(gateway.uri(path)).timeout(WAIT)
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .header("Content-Type", "application/json").header("Idempotency-Key", key).build();
        return gateway.client().send(request, HttpResponse.BodyHandlers.ofString());
    }
}
