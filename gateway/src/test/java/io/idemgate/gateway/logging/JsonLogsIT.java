package io.idemgate.gateway.logging;

import static io.idemgate.gateway.testsupport.FreePorts.freePort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.idemgate.gateway.testsupport.Behaviour;
import io.idemgate.gateway.testsupport.TestJson;
import io.idemgate.gateway.testsupport.TestUpstream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped jar as operators start it, with JSON logging asked for each documented way (the config file,
 * {@code IDEMGATE_LOG_FORMAT}, {@code -Didemgate.logging.format}): every line it prints, start-up, access
 * and shutdown lines alike, must parse as one JSON object. No leak-detection property on the command
 * line except in one run: setting it hid the bug (the leak detector started logback before the format was set).
 */
class JsonLogsIT {

    private static final Path JAR = Path.of("target", "idemgate.jar");
    private static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    static Path dir;
    private static TestUpstream upstream;

    @BeforeAll
    static void startUpstream() {
        upstream = TestUpstream.start().handle(Behaviour.created());
    }

    @AfterAll
    static void stopUpstream() {
        if (upstream != null) {
            upstream.close();
        }
    }

    @Test
    void jsonFromTheConfigFile() throws Exception {
        List<String> lines = run("logging.format = json", Map.of(), List.of());
        assertAllJson(lines);
    }

    @Test
    void jsonFromTheEnvironment() throws Exception {
        List<String> lines = run("", Map.of("IDEMGATE_LOG_FORMAT", "json"), List.of());
        assertAllJson(lines);
    }

    @Test
    void jsonFromASystemProperty() throws Exception {
        List<String> lines = run("", Map.of(), List.of("-Didemgate.logging.format=json"));
        assertAllJson(lines);
    }

    @Test
    void jsonWithTheLeakDetectorSetToo() throws Exception {
        List<String> lines = run("logging.format = json", Map.of(),
                List.of("-Dio.netty.leakDetection.level=paranoid"));
        assertAllJson(lines);
        assertThat(String.join("\n", lines)).doesNotContain("LEAK:");
    }

    @Test
    void textByDefault() throws Exception {
        List<String> lines = run("", Map.of(), List.of());
        assertThat(lines).isNotEmpty().noneMatch(l -> l.startsWith("{"));
        assertThat(lines).anyMatch(l -> l.contains(" INFO  [") && l.contains("idemgate.access - POST /orders 201"));
    }

    private static void assertAllJson(List<String> lines) {
        assertThat(lines).as("gateway output").isNotEmpty();
        List<Map<String, Object>> objects = new ArrayList<>();
        for (String line : lines) {
            Map<String, Object> object;
            try {
                object = TestJson.object(line);
            } catch (RuntimeException e) {
                throw new AssertionError("not a JSON object: " + line, e);
            }
            assertThat(object.get("level")).as("level of %s", line).isNotNull();
            objects.add(object);
        }
        assertThat(objects).as("an access line").anyMatch(o -> "idemgate.access".equals(o.get("loggerName"))
                && "POST /orders 201".equals(o.get("formattedMessage")));
        assertThat(objects).as("the stop line")
                .anyMatch(o -> String.valueOf(o.get("formattedMessage")).startsWith("idemgate stopped"));
    }

    /** Starts the jar, sends one request through it, stops it with SIGTERM; returns every line it printed. */
    private static List<String> run(String extraConfig, Map<String, String> env, List<String> jvmArgs) throws Exception {
        int proxyPort = freePort();
        int adminPort = freePort();
        Path config = Files.createTempFile(dir, "gateway", ".conf");
        Files.writeString(config, """
                idemgate {
                  server { host = "127.0.0.1", port = %d, shutdown-grace = 5s }
                  admin { host = "127.0.0.1", port = %d }
                  reload.watch-file = false
                  %s
                  routes = [ { name = orders, match { path = "/orders" }, upstream { urls = ["%s"] } } ]
                }
                """.formatted(proxyPort, adminPort, extraConfig, upstream.url()));
        Path log = Files.createTempFile(dir, "gateway", ".log");
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.add("-Xmx64m");
        cmd.addAll(jvmArgs);
        cmd.addAll(List.of("-jar", JAR.toString(), "--config", config.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().remove("IDEMGATE_LOG_FORMAT");
        pb.environment().putAll(env);
        Process gateway = pb.start();
        try {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> !gateway.isAlive() || healthy(adminPort));
            assertThat(gateway.isAlive()).as("gateway running; its output: %s", Files.readString(log)).isTrue();
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + proxyPort + "/orders"))
                    .header("Idempotency-Key", "k-1").header("Authorization", "Bearer json-logs")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"a\":1}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(201);
            gateway.destroy(); // SIGTERM: a graceful stop flushes the access log and logback's queue
            assertThat(gateway.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(gateway.exitValue()).isZero();
        } finally {
            if (gateway.isAlive()) {
                gateway.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        return Files.readAllLines(log).stream().filter(l -> !l.isBlank()).toList();
    }

    private static boolean healthy(int adminPort) {
        try {
            return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/healthz"))
                    .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

}
