package io.idemgate.gateway.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.idemgate.gateway.testsupport.Behaviour;
import io.idemgate.gateway.testsupport.GatewayFixture;
import io.idemgate.gateway.testsupport.RedisServer;
import io.idemgate.gateway.testsupport.TestUpstream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** SPEC §2: many gateway instances on one Redis deduplicate as one — a storm of retries spread over three. */
class MultiInstanceIT {

    private static final int REQUESTS = 300;
    private RedisServer redis;
    private TestUpstream upstream;
    private final List<GatewayFixture> gateways = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        redis = RedisServer.start();
        upstream = TestUpstream.start();
        upstream.handle(Behaviour.delay(Duration.ofMillis(300), Behaviour.created()));
        for (int i = 0; i < 3; i++) {
            gateways.add(GatewayFixture.start("""
                    idemgate.store { type = redis, redis { uri = "%s", command-timeout = 3s } }
                    idemgate.routes = [ { name = payments, match.path = "/v1/**", upstream.urls = ["%s"],
                                          idempotency { wait-timeout = 20s } } ]
                    """.formatted(redis.uri(), upstream.url())));
        }
    }

    @AfterEach
    void stop() throws Exception {
        for (GatewayFixture g : gateways) {
            g.close();
        }
        for (AutoCloseable c : new AutoCloseable[] {upstream, redis}) {
            if (c != null) {
                c.close();
            }
        }
    }

    @Test
    void threeHundredConcurrentRetriesOverThreeInstancesExecuteOnceAndAllGetTheSameBody() throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        // Running instances, not cold ones. With three gateways, the upstream and 300 client connections in
        // one JVM on a small CI machine, a store call can queue for longer than the default 250 ms
        // command-timeout: this test is about coordination, so the timeout is generous (SlowRedisIT tests it).
        for (int i = 0; i < gateways.size(); i++) {
            assertThat(client.send(post(gateways.get(i), "warm-" + i), HttpResponse.BodyHandlers.ofString())
                    .statusCode()).isEqualTo(201);
        }
        upstream.clearRequests();
        List<CompletableFuture<HttpResponse<byte[]>>> responses = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            HttpRequest request = post(gateways.get(i % gateways.size()), "storm-1");
            responses.add(client.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()));
        }
        CompletableFuture.allOf(responses.toArray(CompletableFuture[]::new)).join();

        byte[] first = responses.get(0).join().body();
        assertThat(new String(first)).startsWith("{\"id\":\"res_");
        for (CompletableFuture<HttpResponse<byte[]>> f : responses) {
            HttpResponse<byte[]> r = f.join();
            assertThat(r.statusCode()).as("status").isEqualTo(201);
            assertThat(r.body()).as("body").isEqualTo(first);
        }
        assertThat(upstream.requestCount()).isEqualTo(1);
    }

    private static HttpRequest post(GatewayFixture gateway, String key) {
        return HttpRequest.newBuilder(gateway.uri("/v1/payments")).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").header("Idempotency-Key", key)
                .POST(HttpRequest.BodyPublishers.ofString("{\"amount\":100}")).build();
    }
}
