package io.idemgate.gateway.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import io.idemgate.gateway.Gateway;
import io.idemgate.gateway.config.ConfigLoader;
import io.idemgate.gateway.config.GatewayConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * A real gateway in this JVM, listening on ephemeral loopback ports, built from a HOCON snippet the
 * same way {@code GatewayMain} builds it from a file.
 */
public final class GatewayFixture implements AutoCloseable {

    private final Gateway gateway;
    private final HttpClient client;

    private GatewayFixture(Gateway gateway) {
        this.gateway = gateway;
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    /** @param hocon the config; listeners are forced to 127.0.0.1 and port 0 */
    public static GatewayFixture start(String hocon) throws InterruptedException {
        String full = hocon + "\nidemgate.server { host = \"127.0.0.1\", port = 0 }\n"
                + "idemgate.admin { host = \"127.0.0.1\", port = 0 }\n";
        GatewayConfig config = ConfigLoader.parse(full, "test config");
        return new GatewayFixture(Gateway.start(config));
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
