package io.idemgate.gateway;

import static io.idemgate.gateway.testsupport.FreePorts.freePort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.idemgate.gateway.testsupport.Behaviour;
import io.idemgate.gateway.testsupport.DeterministicBytes;
import io.idemgate.gateway.testsupport.TestUpstream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped fat jar as a separate process, the way operators run it: a heap and direct-memory limit
 * far below the bodies streamed through it (so buffering a body would fail the run), leak detection at
 * PARANOID, a warm-up before the start, graceful SIGTERM, and {@code --check-config}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GatewayProcessIT {

    private static final long BIG = 64L * 1024 * 1024;
    private static final Path JAR = Path.of("target", "idemgate.jar");

    @TempDir
    static Path dir;
    private static TestUpstream upstream;
    private static Process gateway;
    private static Path log;
    private static int proxyPort;
    private static int adminPort;
    private static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        upstream = TestUpstream.start();
        proxyPort = freePort();
        adminPort = freePort();
        Path config = dir.resolve("gateway.conf");
        Files.writeString(config, """
                idemgate {
                  server { host = "127.0.0.1", port = %d, shutdown-grace = 10s, warm-up = 1s }
                  admin { host = "127.0.0.1", port = %d }
                  routes = [ { name = stream, match { path = "/**" },
                               upstream { urls = ["%s"], response-timeout = 20s }, idempotency { mode = off } } ]
                }
                """.formatted(proxyPort, adminPort, upstream.url()));
        log = dir.resolve("gateway.log");
        String java = ProcessHandle.current().info().command().orElse("java");
        gateway = new ProcessBuilder(java, "-Xmx48m", "-XX:MaxDirectMemorySize=32m",
                "-Dio.netty.leakDetection.level=paranoid", "-jar", JAR.toString(), "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> healthy());
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null && gateway.isAlive()) {
            gateway.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        if (upstream != null) {
            upstream.close();
        }
        if (log != null && Files.exists(log)) {
            assertThat(Files.readString(log)).as("gateway process log").doesNotContain("LEAK:");
        }
    }

    @Test
    void streams64MiBUploadThroughASmallHeap() throws Exception {
        upstream.reset(Behaviour.respond(201, java.util.Map.of(), "stored"));
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri("/upload"))
                .POST(HttpRequest.BodyPublishers.fromPublisher(
                        HttpRequest.BodyPublishers.ofInputStream(() -> DeterministicBytes.stream(BIG)), BIG))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(201);
        assertThat(upstream.requests().get(0).bodyLength()).isEqualTo(BIG);
        assertThat(upstream.requests().get(0).bodySha256()).isEqualTo(DeterministicBytes.sha256Hex(BIG));
        assertThat(gateway.isAlive()).isTrue();
    }

    @Test
    void streams64MiBDownloadThroughASmallHeap() throws Exception {
        upstream.handle(Behaviour.download(BIG));
        HttpResponse<InputStream> r = client.send(HttpRequest.newBuilder(uri("/download")).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(sha256(r.body())).isEqualTo(DeterministicBytes.sha256Hex(BIG));
        assertThat(gateway.isAlive()).isTrue();
    }

    @Test
    void checkConfigValidatesAndPrintsRoutes() throws Exception {
        Path good = dir.resolve("good.conf");
        Files.writeString(good, "idemgate.routes = [ { name = a, match { path = \"/**\" }, upstream { urls = [\"http://127.0.0.1:9\"] } } ]");
        Path bad = dir.resolve("bad.conf");
        Files.writeString(bad, "idemgate.routes = [ { name = a, match { path = \"/**\" }, upstream { urls = [\"ftp://x\"] } } ]");
        Run ok = runJar("--check-config", "--config", good.toString());
        assertThat(ok.exit).isZero();
        assertThat(ok.output).contains("\"name\"").contains("configuration OK");
        Run ko = runJar("--check-config", "--config", bad.toString());
        assertThat(ko.exit).isNotZero();
        assertThat(ko.output).contains("bad.conf").contains("urls");
    }

    /**
     * Issue #13: a normal start (no --check-config) validates too. Free listener ports, so a gateway that
     * skipped validation would start and the bounded wait would fail the test.
     */
    @Test
    void aNormalStartWithAnInvalidConfigExitsNonZeroNamingTheKeyAndLine() throws Exception {
        Path bad = dir.resolve("invalid.conf");
        Files.writeString(bad, """
                idemgate {
                  server { host = "127.0.0.1", port = %d }
                  admin { host = "127.0.0.1", port = %d }
                  routes = [ { name = pay, match { path = "/**" }, upstream { urls = ["%s"] },
                               idempotency { mode = sometimes } } ]
                }
                """.formatted(freePort(), freePort(), upstream.url()));
        Path out = dir.resolve("invalid.log");
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(java, "-jar", JAR.toString(), "--config", bad.toString())
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("exits instead of starting").isTrue();
        } finally {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        String output = Files.readString(out);
        assertThat(p.exitValue()).isEqualTo(1);
        assertThat(output).contains("Invalid configuration").contains("invalid.conf: 5:")
                .contains("idemgate.routes[0].idempotency.mode").contains("sometimes")
                .doesNotContain("idemgate started").doesNotContain("Exception");
    }

    @Test
    void sighupReloadsTheRoutesAndKeepsServing() throws Exception {
        Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(gateway.pid())).start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).isZero();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> Files.readString(log).contains("route rules reloaded: 1 route(s)"));
        assertThat(Files.readString(log)).contains("(sighup)");
        assertThat(gateway.isAlive()).isTrue();
        assertThat(healthy()).isTrue();
    }

    @Test
    void warmsUpOnceBeforeItsPortOpens() throws Exception {
        String text = Files.readString(log);
        assertThat(text).contains("warm-up done:");
        assertThat(text.indexOf("warm-up done:")).as("the warm-up ends before the port opens")
                .isLessThan(text.indexOf("proxy listening"));
        assertThat(text.split("proxy listening", -1)).as("one listening line: the private one is quiet").hasSize(2);
        assertThat(text.split("idemgate started", -1)).hasSize(2);
        assertThat(text).doesNotContain("/warm-up/");
    }

    /** Last: it ends the shared process. */
    @Test
    @Order(Integer.MAX_VALUE)
    void sigtermLetsTheInFlightRequestFinishThenExitsZero() throws Exception {
        upstream.reset(Behaviour.delay(Duration.ofMillis(1500), Behaviour.echo()));
        CompletableFuture<HttpResponse<String>> inFlight = client.sendAsync(HttpRequest.newBuilder(uri("/slow"))
                .POST(HttpRequest.BodyPublishers.ofString("finish me")).build(), HttpResponse.BodyHandlers.ofString());
        upstream.awaitRequests(1, Duration.ofSeconds(10));
        gateway.destroy(); // SIGTERM
        HttpResponse<String> r = inFlight.get(15, TimeUnit.SECONDS);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("finish me");
        assertThat(gateway.waitFor(15, TimeUnit.SECONDS)).isTrue();
        assertThat(gateway.exitValue()).isZero();
        assertThat(Files.readString(log)).contains("idemgate stopped");
    }

    private record Run(int exit, String output) {
    }

    private static Run runJar(String... args) throws Exception {
        String javaBin = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(javaBin, "-jar", JAR.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    private static boolean healthy() {
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

    private static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + proxyPort + path);
    }

    private static String sha256(InputStream in) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[64 * 1024];
        try (in) {
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
