package io.idemgate.gateway.testsupport;

import io.idemgate.gateway.Gateway;
import io.idemgate.gateway.config.ConfigLoader;
import io.idemgate.gateway.config.GatewayConfig;
import java.net.URI;
import java.net.http.HttpClient;
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

    @Override
    public void close() throws InterruptedException {
        gateway.stop(Duration.ofSeconds(5));
    }
}
