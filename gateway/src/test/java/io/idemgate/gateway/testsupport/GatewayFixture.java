package io.idemgate.gateway.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import io.idemgate.gateway.Gateway;
import io.idemgate.gateway.config.ConfigLoader;
import io.idemgate.gateway.config.GatewayConfig;
import java.io.IOException;
import java.net.URI;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

/**
 * A real gateway in this JVM, listening on ephemeral loopback ports, built from a HOCON snippet the
 * same way {@code GatewayMain} builds it from a file. {@link #startFromFile} writes the snippet to a real
 * file first, so the gateway can reload it after {@link #rewriteConfig}.
 */
public final class GatewayFixture implements AutoCloseable {

    /**
     * Goes before the test's own config, which may override it: most tests send no scope header, and
     * test something else than {@code scope.when-missing} (ScopeIT sets {@code reject} itself).
     */
    private static final String SHARED_SCOPE_DEFAULT = "idemgate.defaults.idempotency.scope.when-missing = shared\n";

    private static final String LOOPBACK_LISTENERS = "\nidemgate.server { host = \"127.0.0.1\", port = 0 }\n"
            + "idemgate.admin { host = \"127.0.0.1\", port = 0 }\n";

    private final Gateway gateway;
    private final Path configFile; // null when started from a string
    private final HttpClient client;

    private GatewayFixture(Gateway gateway, Path configFile) {
        this.gateway = gateway;
        this.configFile = configFile;
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    /** @param hocon the config; listeners are forced to 127.0.0.1 and port 0 */
    public static GatewayFixture start(String hocon) throws InterruptedException {
        GatewayConfig config = ConfigLoader.parse(SHARED_SCOPE_DEFAULT + hocon + LOOPBACK_LISTENERS, "test config");
        return new GatewayFixture(Gateway.start(config), null);
    }

    /**
     * Writes the config to {@code dir/gateway.conf} and starts from that file, as {@code GatewayMain} does,
     * so the routes can be reloaded from it.
     *
     * @param hocon the config; listeners are forced to 127.0.0.1 and port 0
     */
    public static GatewayFixture startFromFile(Path dir, String hocon) throws IOException, InterruptedException {
        Path file = dir.resolve("gateway.conf");
        Files.writeString(file, SHARED_SCOPE_DEFAULT + hocon + LOOPBACK_LISTENERS);
        return new GatewayFixture(Gateway.start(ConfigLoader.load(file), file), file);
    }

    /**
     * Replaces the config file the way editors and deploy tools do: a temporary file renamed over it.
     * The listeners stay forced to loopback and port 0, as in {@link #startFromFile}.
     */
    public void rewriteConfig(String hocon) throws IOException {
        if (configFile == null) {
            throw new IllegalStateException("started from a string; use startFromFile");
        }
        Path tmp = Files.createTempFile(configFile.getParent(), ".gateway", ".tmp");
        Files.writeString(tmp, SHARED_SCOPE_DEFAULT + hocon + LOOPBACK_LISTENERS);
        Files.move(tmp, configFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    public Path configFile() {
        return configFile;
    }

    /** {@code POST /admin/reload}, with {@code Authorization: Bearer <token>} unless the token is null. */
    public HttpResponse<String> postReload(String token) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(adminUri("/admin/reload"))
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A single route {@code name} matching every path and forwarding to {@code upstreamUrl}. */
    public static String oneRoute(String name, String upstreamUrl, String upstreamExtras) {
        return "idemgate.routes = [ { name = " + name + ", match { path = \"/**\" }, "
                + "upstream { urls = [\"" + upstreamUrl + "\"] " + upstreamExtras + " }, "
                + "idempotency { mode = off } } ]\n";
    }

    public Gateway gateway() {
        return gateway;
    }

    public int port() {
        return gateway.proxyPort();
    }

    public URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + port() + pathAndQuery);
    }

    public URI adminUri(String path) {
        return URI.create("http://127.0.0.1:" + gateway.adminPort() + path);
    }

    public HttpClient client() {
        return client;
    }

    /** A plain GET of {@code uri} with {@link #client()}, the body read as a string. */
    public HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The admin port's {@code /metrics}, parsed; the test fails unless it answers 200. */
    public PrometheusText scrapeMetrics() throws IOException, InterruptedException {
        HttpResponse<String> r = get(adminUri("/metrics"));
        assertThat(r.statusCode()).isEqualTo(200);
        return PrometheusText.of(r.body());
    }

    @Override
    public void close() throws InterruptedException {
        gateway.stop(Duration.ofSeconds(5));
    }
}
