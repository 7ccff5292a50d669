package io.idemgate.gateway.store.redis;

import static io.idemgate.gateway.testsupport.FreePorts.freePort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.idemgate.gateway.testsupport.Behaviour;
import io.idemgate.gateway.testsupport.GatewayFixture;
import io.idemgate.gateway.testsupport.RedisServer;
import io.idemgate.gateway.testsupport.TestUpstream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SPEC §1 "the gateway dies mid-flight": a gateway process (the shipped fat jar) owning two keys is
 * SIGKILLed while the upstream works on both. Once their leases lapse, a second gateway on the same
 * Redis treats the outcome as unknown: {@code reject} answers 409, {@code reexecute} runs it again.
 */
class OwnerKilledIT {

    private static final Path JAR = Path.of("target", "idemgate.jar");
    private static final Duration LEASE = Duration.ofSeconds(1);
    private static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    static Path dir;
    private static RedisServer redis;
    private static TestUpstream upstream;
    private static Process owner;
    private static GatewayFixture survivor;

    @BeforeAll
    static void killTheOwnerMidFlight() throws Exception {
        redis = RedisServer.start();
        upstream = TestUpstream.start();
        upstream.handle(Behaviour.delay(Duration.ofSeconds(3), Behaviour.created()));
        int proxyPort = freePort();
        int adminPort = freePort();
        Path config = dir.resolve("gateway.conf");
        Files.writeString(config, """
                idemgate {
                  server { host = "127.0.0.1", port = %d }
                  admin { host = "127.0.0.1", port = %d }
                }
                %s
                """.formatted(proxyPort, adminPort, sharedConfig()));
        String java = ProcessHandle.current().info().command().orElse("java");
        owner = new ProcessBuilder(java, "-Xmx128m", "-jar", JAR.toString(), "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("owner.log").toFile()).start();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> ready(adminPort));

        client.sendAsync(post(proxyPort, "/reject/pay"), HttpResponse.BodyHandlers.discarding());
        client.sendAsync(post(proxyPort, "/again/pay"), HttpResponse.BodyHandlers.discarding());
        assertThat(upstream.awaitRequests(2, Duration.ofSeconds(10))).hasSize(2);
        owner.destroyForcibly().waitFor(10, TimeUnit.SECONDS);

        survivor = GatewayFixture.start(sharedConfig());
        Thread.sleep(LEASE.toMillis() + 500); // the dead owner renews no more: its leases lapse
    }

    @AfterAll
    static void stop() throws Exception {
        if (owner != null && owner.isAlive()) {
            owner.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        for (AutoCloseable c : new AutoCloseable[] {survivor, upstream, redis}) {
            if (c != null) {
                c.close();
            }
        }
    }

    @Test
    void onARejectRouteTheRetryGets409OutcomeUnknownAndTheUpstreamIsNotCalledAgain() throws Exception {
        HttpResponse<String> retry = client.send(post(survivor.port(), "/reject/pay"), HttpResponse.BodyHandlers.ofString());

        assertThat(retry.statusCode()).isEqualTo(409);
        assertThat(retry.body()).contains("outcome-unknown");
        assertThat(upstream.requests()).filteredOn(r -> r.uri().startsWith("/reject")).hasSize(1);
    }

    @Test
    void onAReexecuteRouteTheRetryRunsOnceMore() throws Exception {
        HttpResponse<String> retry = client.send(post(survivor.port(), "/again/pay"), HttpResponse.BodyHandlers.ofString());

        assertThat(retry.statusCode()).isEqualTo(201);
        assertThat(retry.headers().firstValue("Idempotent-Replayed")).isEmpty();
        assertThat(upstream.requests()).filteredOn(r -> r.uri().startsWith("/again")).hasSize(2);
    }

    /** What both gateways share: the Redis and the route rules, so they compute the same record ids. */
    private static String sharedConfig() {
        return """
                idemgate.store { type = redis, redis { uri = "%1$s" } }
                idemgate.defaults.idempotency { lease = %3$dms, wait-timeout = 10s, scope.when-missing = shared }
                idemgate.routes = [
                  { name = reject, match.path = "/reject/**", upstream { urls = ["%2$s"], response-timeout = 20s },
                    idempotency.outcome-unknown = reject }
                  { name = again, match.path = "/again/**", upstream { urls = ["%2$s"], response-timeout = 20s },
                    idempotency.outcome-unknown = reexecute }
                ]
                """.formatted(redis.uri(), upstream.url(), LEASE.toMillis());
    }

    private static HttpRequest post(int port, String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json").header("Idempotency-Key", "crash-1")
                .POST(HttpRequest.BodyPublishers.ofString("{\"amount\":100}")).build();
    }

    private static boolean ready(int adminPort) {
        try {
            return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/readyz")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

}
