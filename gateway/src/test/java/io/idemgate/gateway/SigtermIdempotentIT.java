package io.idemgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.idemgate.gateway.testsupport.Behaviour;
import io.idemgate.gateway.testsupport.GatewayFixture;
import io.idemgate.gateway.testsupport.GatewayProcess;
import io.idemgate.gateway.testsupport.RedisServer;
import io.idemgate.gateway.testsupport.TestUpstream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #13: SIGTERM to the shipped jar while an idempotent request is at the upstream. The graceful stop
 * lets the upstream call finish, the client gets its answer, the record is stored as completed before the
 * process exits 0 (the upstream answers only after the listener has closed, so the call is
 * in flight at the signal for sure); the client's retry, sent to another gateway on the same Redis (a restarted or second
 * instance), is a replay of that answer, not a second execution.
 */
class SigtermIdempotentIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;
    private RedisServer redis;
    private TestUpstream upstream;
    private GatewayProcess gateway;

    @AfterEach
    void stop() throws Exception {
        try {
            if (gateway != null) {
                gateway.close();
                assertThat(gateway.log()).as("gateway process log").doesNotContain("LEAK:");
            }
        } finally {
            if (upstream != null) {
                upstream.close();
            }
            if (redis != null) {
                redis.close();
            }
        }
    }

    @Test
    void anIdempotentRequestInFlightAtSigtermCompletesAndItsRetryElsewhereIsAReplay() throws Exception {
        redis = RedisServer.start();
        upstream = TestUpstream.start();
        // The upstream answers only once the gateway has taken the signal (its listener is closed).
        CompletableFuture<Void> answer = new CompletableFuture<>();
        Behaviour created = Behaviour.created();
        upstream.handle(exchange -> () -> answer.thenRun(() -> exchange.executor().execute(
                () -> created.begin(exchange).onComplete())));
        String config = """
                idemgate {
                  server.shutdown-grace = 20s
                  defaults.idempotency.scope.when-missing = shared
                  store { type = redis, redis { uri = "%s", command-timeout = 3s } }
                  routes = [ { name = pay, match.path = "/pay/**", upstream { urls = ["%s"], response-timeout = 20s } } ]
                }
                """.formatted(redis.uri(), upstream.url());
        gateway = GatewayProcess.start(dir, "gateway", config, List.of()).awaitHealthy(WAIT);

        CompletableFuture<HttpResponse<String>> inFlight = client.sendAsync(request(gateway.uri("/pay/charge")),
                HttpResponse.BodyHandlers.ofString());
        upstream.awaitRequests(1, WAIT);
        gateway.sigterm();
        Awaitility.await().atMost(WAIT).until(() -> !accepts(gateway.uri("/")));
        answer.complete(null);

        HttpResponse<String> first = inFlight.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(first.statusCode()).isEqualTo(201);
        assertThat(first.headers().firstValue("Idempotent-Replayed")).isEmpty();
        assertThat(gateway.awaitExit(WAIT)).as("exit code after SIGTERM").isZero();
        assertThat(gateway.log()).contains("idemgate stopped");

        // The retry reaches another gateway (a restarted or second instance) on the same Redis.
        upstream.handle(Behaviour.respond(201, "a second execution"));
        try (GatewayFixture restarted = GatewayFixture.start(config)) {
            HttpResponse<String> retry = client.send(request(restarted.uri("/pay/charge")),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(retry.statusCode()).isEqualTo(201);
            assertThat(retry.headers().firstValue("Idempotent-Replayed")).hasValue("true");
            assertThat(retry.body()).isEqualTo(first.body());
            assertThat(retry.headers().firstValue("Location")).isEqualTo(first.headers().firstValue("Location"));
        }
        assertThat(upstream.requestCount()).as("executions: the first only").isEqualTo(1);
    }

    private static boolean accepts(URI uri) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 1_000);
            return true;
        } catch (IOException refused) {
            return false;
        }
    }

    private static HttpRequest request(URI uri) {
        return HttpRequest.newBuilder(uri).timeout(WAIT)
                .header("Content-Type", "application/json").header("Idempotency-Key", "sigterm-charge-1")
                .POST(HttpRequest.BodyPublishers.ofString("{\"amount\":100}")).build();
    }
}
