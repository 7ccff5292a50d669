package io.idemgate.gateway.server;

import static io.idemgate.gateway.testsupport.FreePorts.freePort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped jar started the ways a newcomer trips over: a port already taken (a second instance on one
 * machine), Redis not running. Each is one line on stderr naming the address, the reason and the setting,
 * and exit code 1, never a stack trace. And the environment variables that move the listeners work with the
 * shipped config/gateway.conf.
 */
class CannotListenIT {

    private static final Path JAR = Path.of("target", "idemgate.jar");
    private static final Path SHIPPED_CONFIG = Path.of("..", "config", "gateway.conf");

    @TempDir
    Path dir;

    private record Run(int exit, List<String> stderr, String stdout) {
    }

    @Test
    void aTakenAdminPortIsOneLineNamingTheKeyAndTheVariable() throws Exception {
        try (ServerSocket taken = listen()) {
            int port = taken.getLocalPort();
            Run run = start(config(freePort(), port, ""), Map.of());

            assertThat(run.exit).isEqualTo(1);
            assertThat(run.stderr).singleElement().isEqualTo("idemgate: cannot listen on 127.0.0.1:" + port
                    + " (admin): Address already in use; set idemgate.admin.port / .host"
                    + " (or IDEMGATE_ADMIN_PORT / IDEMGATE_ADMIN_HOST)");
            assertThat(run.stdout).doesNotContain("\tat ").doesNotContain("Exception");
        }
    }

    @Test
    void aTakenProxyPortIsOneLineNamingTheKeyAndTheVariable() throws Exception {
        try (ServerSocket taken = listen()) {
            int port = taken.getLocalPort();
            Run run = start(config(port, freePort(), ""), Map.of());

            assertThat(run.exit).isEqualTo(1);
            assertThat(run.stderr).singleElement().isEqualTo("idemgate: cannot listen on 127.0.0.1:" + port
                    + " (proxy): Address already in use; set idemgate.server.port / .host (or IDEMGATE_PORT / IDEMGATE_HOST)");
            assertThat(run.stdout).doesNotContain("\tat ").doesNotContain("Exception");
        }
    }

    @Test
    void redisNotRunningAtStartIsOneLine() throws Exception {
        int redisPort = freePort();
        Run run = start(config(freePort(), freePort(),
                "store { type = redis, redis.uri = \"redis://:secret@127.0.0.1:" + redisPort + "\" }"), Map.of());

        assertThat(run.exit).isEqualTo(1);
        assertThat(run.stderr).singleElement().satisfies(line -> assertThat(line)
                .startsWith("idemgate: cannot reach Redis at 127.0.0.1:" + redisPort + ": ")
                .contains("idemgate.store.redis.uri")
                .doesNotContain("secret"));
        assertThat(run.stdout).doesNotContain("\tat ");
    }

    @Test
    void theShippedConfigTakesItsListenersFromTheEnvironment() throws Exception {
        int proxyPort = freePort();
        int adminPort = freePort();
        ProcessBuilder pb = command(SHIPPED_CONFIG).redirectErrorStream(true).redirectOutput(dir.resolve("out.log").toFile());
        pb.environment().putAll(Map.of("IDEMGATE_HOST", "127.0.0.1", "IDEMGATE_PORT", Integer.toString(proxyPort),
                "IDEMGATE_ADMIN_PORT", Integer.toString(adminPort)));
        Process gateway = pb.start();
        try {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> !gateway.isAlive() || status("http://127.0.0.1:" + adminPort + "/healthz") == 200);
            assertThat(gateway.isAlive()).as(Files.readString(dir.resolve("out.log"))).isTrue();
            assertThat(Files.readString(dir.resolve("out.log"))).contains("proxy listening on 127.0.0.1:" + proxyPort);
        } finally {
            gateway.destroy();
            if (!gateway.waitFor(20, TimeUnit.SECONDS)) {
                gateway.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private Path config(int proxyPort, int adminPort, String extra) throws IOException {
        Path config = Files.createTempFile(dir, "gateway", ".conf");
        Files.writeString(config, """
                idemgate {
                  server { host = "127.0.0.1", port = %d }
                  admin { host = "127.0.0.1", port = %d }
                  reload.watch-file = false
                  %s
                  routes = [ { name = a, match { path = "/**" }, upstream { urls = ["http://127.0.0.1:9"] } } ]
                }
                """.formatted(proxyPort, adminPort, extra));
        return config;
    }

    private Run start(Path config, Map<String, String> env) throws Exception {
        Path out = Files.createTempFile(dir, "out", ".log");
        Path err = Files.createTempFile(dir, "err", ".log");
        ProcessBuilder pb = command(config).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("gateway still running; output: " + Files.readString(out));
        }
        return new Run(p.exitValue(), Files.readAllLines(err).stream().filter(l -> !l.isBlank()).toList(),
                Files.readString(out));
    }

    private static ProcessBuilder command(Path config) {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx64m",
                "-Dio.netty.leakDetection.level=paranoid", "-jar", JAR.toString(), "--config", config.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        for (String v : List.of("IDEMGATE_HOST", "IDEMGATE_PORT", "IDEMGATE_ADMIN_HOST", "IDEMGATE_ADMIN_PORT")) {
            pb.environment().remove(v);
        }
        return pb;
    }

    private static ServerSocket listen() throws IOException {
        return new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
    }

    private static int status(String url) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(1))
                    .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
