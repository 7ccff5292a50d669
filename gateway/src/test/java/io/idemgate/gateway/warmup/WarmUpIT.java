package io.idemgate.gateway.warmup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.idemgate.gateway.Gateway;
import io.idemgate.gateway.config.ConfigLoader;
import io.idemgate.gateway.config.GatewayConfig;
import io.idemgate.gateway.testsupport.PrometheusText;
import io.idemgate.gateway.testsupport.RedisServer;
import io.idemgate.gateway.testsupport.TestUpstream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The warm-up before the start (server.warm-up) against a real redis-server and a recording upstream
 * configured as the gateway's: not a byte of the warm-up reaches either, nor stdout's access log, nor the
 * real gateway's metrics; it keeps to its bound, releases what it started (threads here, buffers by the
 * leak detection every test runs with), and the gateway then starts and serves normally, also after a
 * warm-up that failed.
 */
class WarmUpIT {

    /** Long enough for a first answer from a cold private gateway on a loaded machine. */
    private static final Duration BOUND = Duration.ofSeconds(5);

    private RedisServer redis;
    private TestUpstream upstream;
    private GatewayConfig config;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void start() {
        redis = RedisServer.start();
        upstream = TestUpstream.start();
        config = ConfigLoader.parse("""
                idemgate {
                  server { host = "127.0.0.1", port = 0, warm-up = %dms }
                  admin { host = "127.0.0.1", port = 0 }
                  store { type = redis, redis.uri = "%s" }
                  routes = [
                    { name = pass, match.path = "/pass/**", upstream.urls = ["%s"], idempotency.mode = off }
                    { name = orders, match.path = "/**", upstream.urls = ["%s"]
                      idempotency { mode = key, scope.when-missing = shared } }
                  ]
                }
                """.formatted(BOUND.toMillis(), redis.uri(), upstream.url(), upstream.url()), "warm-up-it.conf");
    }

    @AfterEach
    void stop() {
        upstream.close();
        redis.close();
    }

    @Test
    void warmsUpOnItsOwnThenTheGatewayServesTheRealUpstreamAndStore() throws Exception {
        Set<String> threadsBefore = idemgateThreads();
        long redisConnections = redisConnectionsReceived();
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        PrintStream original = System.out;
        WarmUpReport report;
        System.setOut(new PrintStream(new Tee(original, stdout), true, StandardCharsets.UTF_8));
        try {
            report = WarmUp.run(config);
        } finally {
            System.setOut(original);
        }

        assertThat(report.error()).isNull();
        assertThat(report.passThrough()).isPositive();
        assertThat(report.idempotent()).isPositive();
        assertThat(report.replayed()).as("replays and duplicates of a first in flight").isPositive();
        assertThat(report.failed()).isZero();
        assertThat(report.duration()).as("traffic for the bound, then closing")
                .isLessThan(BOUND.plusSeconds(15));
        assertThat(upstream.connectionsAccepted()).as("the configured upstream saw no connection").isZero();
        assertThat(redisConnectionsReceived()).as("Redis saw no connection but this test's own")
                .isEqualTo(redisConnections + 1);
        assertThat(redis.command("DBSIZE")).isEqualTo(":0");
        String out = stdout.toString(StandardCharsets.UTF_8);
        assertThat(out).as("no access line of the warm-up on stdout").doesNotContain("/warm-up/");
        assertThat(out).contains("warm-up done: " + report.requests() + " requests");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(threadsBefore).as("the warm-up's threads are gone").containsAll(idemgateThreads()));

        try (Gateway gateway = Gateway.start(config, null, report)) {
            HttpResponse<String> pass = post(gateway, "/pass/orders", null);
            HttpResponse<String> first = post(gateway, "/v1/orders", "k-1");
            HttpResponse<String> replay = post(gateway, "/v1/orders", "k-1");
            assertThat(pass.statusCode()).isEqualTo(200);
            assertThat(first.statusCode()).isEqualTo(200);
            assertThat(replay.headers().firstValue("Idempotent-Replayed")).isPresent();
            assertThat(upstream.requestCount()).as("the real requests only").isEqualTo(2);
            assertThat(redis.command("DBSIZE")).isNotEqualTo(":0");

            PrometheusText metrics = PrometheusText.of(client.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + gateway.adminPort() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            assertThat(metrics.sum("idemgate_requests_total")).as("no warm-up request in the real metrics")
                    .isEqualTo(3.0);
            assertThat(metrics.sum("idemgate_warm_up_requests")).isEqualTo((double) report.requests());
        }
    }

    @Test
    void aWarmUpThatFailsIsReportedAndTheGatewayStartsAnyway() throws Exception {
        WarmUpReport report = WarmUp.run(config, BOUND, (c, accessOut) -> {
            throw new IllegalStateException("private gateway broke");
        });
        assertThat(report.succeeded()).isFalse();
        assertThat(report.error()).contains("private gateway broke");
        assertThat(report.requests()).isZero();

        try (Gateway gateway = Gateway.start(config, null, report)) {
            assertThat(post(gateway, "/pass/orders", null).statusCode()).isEqualTo(200);
            assertThat(upstream.requestCount()).isEqualTo(1);
        }
    }

    private HttpResponse<String> post(Gateway gateway, String path, String key) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.proxyPort() + path))
                .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"sku\":\"tea\"}"));
        if (key != null) {
            request.header("Idempotency-Key", key);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private long redisConnectionsReceived() {
        String info = redis.commandFull("INFO stats");
        for (String line : info.split("\r?\n")) {
            if (line.startsWith("total_connections_received:")) {
                return Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
            }
        }
        throw new AssertionError("no total_connections_received in INFO stats: " + info);
    }

    private static Set<String> idemgateThreads() {
        Set<String> names = new TreeSet<>();
        Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith("idemgate")).forEach(names::add);
        return names;
    }

    /** Writes to both streams: the test's console stays readable. */
    private static final class Tee extends OutputStream {
        private final OutputStream a;
        private final OutputStream b;

        Tee(OutputStream a, OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int c) throws java.io.IOException {
            a.write(c);
            b.write(c);
        }

        @Override
        public void write(byte[] buf, int off, int len) throws java.io.IOException {
            a.write(buf, off, len);
            b.write(buf, off, len);
        }
    }
}
