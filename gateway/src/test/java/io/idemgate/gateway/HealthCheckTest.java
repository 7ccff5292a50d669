package io.idemgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.idemgate.gateway.config.AdminConfig;
import io.idemgate.gateway.testsupport.GatewayFixture;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --health-check}: the container health probe that needs no curl in the image. */
class HealthCheckTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    void aRunningGatewayIsHealthyByUrl() throws Exception {
        try (GatewayFixture gateway = GatewayFixture.start("")) {
            String url = gateway.adminUri("/healthz").toString();
            assertThat(run("--health-check", url)).isEqualTo(0);
        }
    }

    @Test
    void aRunningGatewayIsHealthyByItsConfigFile(@TempDir Path dir) throws Exception {
        try (GatewayFixture gateway = GatewayFixture.start("")) {
            Path config = dir.resolve("gateway.conf");
            Files.writeString(config, "idemgate.admin { host = \"0.0.0.0\", port = " + gateway.gateway().adminPort() + " }\n");
            assertThat(run("--config", config.toString(), "--health-check")).isEqualTo(0);
        }
    }

    @Test
    void nothingListeningIsUnhealthy() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        assertThat(run("--health-check", "http://127.0.0.1:" + port + "/healthz")).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unhealthy");
    }

    @Test
    void aUrlThatIsNotHttpIsUnhealthyOrRefused() throws Exception {
        assertThat(run("--health-check", "ftp://127.0.0.1/healthz")).isEqualTo(1);
        assertThat(run("--health-check", "http://bad host/")).isEqualTo(2);
    }

    @Test
    void aStatusOtherThan200IsUnhealthy() throws Exception {
        try (GatewayFixture gateway = GatewayFixture.start("")) {
            assertThat(run("--health-check", gateway.adminUri("/no-such-endpoint").toString())).isEqualTo(1);
            assertThat(err.toString(StandardCharsets.UTF_8)).contains("answered 404");
        }
    }

    @Test
    void aPeerThatNeverAnswersIsUnhealthyWithinTheTimeout() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                try (Socket accepted = silent.accept()) {
                    Thread.sleep(10_000);
                } catch (IOException | InterruptedException ignored) {
                    // the test is over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            long start = System.nanoTime();
            assertThat(run("--health-check", "http://127.0.0.1:" + silent.getLocalPort() + "/healthz")).isEqualTo(1);
            assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(5_000);
            acceptor.interrupt();
        }
    }

    @Test
    void aWildcardAdminHostIsProbedOnLoopback() {
        assertThat(HealthCheck.urlFor(new AdminConfig("0.0.0.0", 9191, "")))
                .hasToString("http://127.0.0.1:9191/healthz");
        assertThat(HealthCheck.urlFor(new AdminConfig("::", 9090, ""))).hasToString("http://[::1]:9090/healthz");
        assertThat(HealthCheck.urlFor(new AdminConfig("10.0.0.5", 9090, ""))).hasToString("http://10.0.0.5:9090/healthz");
    }

    private int run(String... args) throws Exception {
        return GatewayMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }
}
