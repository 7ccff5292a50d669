package io.idemgate.gateway.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.idemgate.gateway.testsupport.Behaviour;
import io.idemgate.gateway.testsupport.GatewayFixture;
import io.idemgate.gateway.testsupport.RedisCluster;
import io.idemgate.gateway.testsupport.TestUpstream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A gateway in {@code mode = cluster} on a real three-master Redis Cluster, with two event loops (each its
 * own cluster connection): first requests, replays and a concurrent burst behave as on one Redis.
 */
class ClusterGatewayIT {

    private static RedisCluster cluster;
    private static TestUpstream upstream;
    private static GatewayFixture gateway;
    private static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeAll
    static void start() throws Exception {
        cluster = RedisCluster.start();
        upstream = TestUpstream.start();
        upstream.handle(Behaviour.delay(Duration.ofMillis(200), Behaviour.created()));
        String seeds = cluster.seedUris().stream().map(u -> "\"" + u + "\"").collect(Collectors.joining(", "));
        gateway = GatewayFixture.start("""
                idemgate.server.io-threads = 2
                idemgate.store { type = redis, redis { uri = [%s], mode = cluster, command-timeout = 3s } }
                idemgate.routes = [ { name = payments, match.path = "/v1/**", upstream.urls = ["%s"] } ]
                """.formatted(seeds, upstream.url()));
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {gateway, upstream}) {
            if (c != null) {
                c.close();
            }
        }
        if (cluster != null) {
            cluster.stop();
        }
    }

    @Test
    void everyKeyExecutesOnceAndItsRetryReplaysTheSameBody() throws Exception {
        int before = upstream.requestCount();
        // 20 keys land on all three masters (hash tags spread them) and reach the gateway on both loops.
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> first = client.send(post("cluster-key-" + i), HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> retry = client.send(post("cluster-key-" + i), HttpResponse.BodyHandlers.ofString());
            assertThat(first.statusCode()).isEqualTo(201);
            assertThat(retry.statusCode()).isEqualTo(201);
            assertThat(retry.body()).isEqualTo(first.body());
            assertThat(retry.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        }
        assertThat(upstream.requestCount() - before).isEqualTo(20);
    }

    @Test
    void aBurstOfOneKeyExecutesOnce() {
        int before = upstream.requestCount();
        List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            responses.add(client.sendAsync(post("cluster-burst"), HttpResponse.BodyHandlers.ofString()));
        }
        CompletableFuture.allOf(responses.toArray(CompletableFuture[]::new)).join();
        String body = responses.get(0).join().body();
        for (CompletableFuture<HttpResponse<String>> r : responses) {
            assertThat(r.join().statusCode()).isEqualTo(201);
            assertThat(r.join().body()).isEqualTo(body);
        }
        assertThat(upstream.requestCount() - before).isEqualTo(1);
    }

    private static HttpRequest post(String key) {
        return HttpRequest.newBuilder(gateway.uri("/v1/payments")).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").header("Idempotency-Key", key)
                .POST(HttpRequest.BodyPublishers.ofString("{\"amount\":100}")).build();
    }
}
