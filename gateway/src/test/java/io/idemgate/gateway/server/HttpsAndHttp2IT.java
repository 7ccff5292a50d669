package io.idemgate.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.idemgate.gateway.Gateway;
import io.idemgate.gateway.config.ConfigLoader;
import io.idemgate.gateway.testsupport.Behaviour;
import io.idemgate.gateway.testsupport.CommandLine;
import io.idemgate.gateway.testsupport.GatewayFixture;
import io.idemgate.gateway.testsupport.ReceivedRequest;
import io.idemgate.gateway.testsupport.TestCertificates;
import io.idemgate.gateway.testsupport.TestUpstream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * SPEC §1 Protocols with real clients: the JDK's HttpClient (HTTP/2 and HTTP/1.1 over TLS), curl (h2c with
 * prior knowledge, HTTP/1.1 on the same port) and openssl s_client (TLS versions and ALPN), against a
 * certificate from a throwaway CA.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpsAndHttp2IT {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private Path dir;
    private TestCertificates ca;
    private TestCertificates.Issued cert;
    private TestUpstream upstream;
    private GatewayFixture https;
    private GatewayFixture h2c;
    private HttpClient h2Client;
    private HttpClient h1Client;

    @BeforeAll
    void start(@TempDir Path tempDir) throws Exception {
        dir = tempDir;
        ca = TestCertificates.newCa(dir, "edge");
        cert = ca.issue("gateway");
        upstream = TestUpstream.start().handle(Behaviour.created());
        String routes = """
                idemgate.routes = [
                  { name = pay, match.path = "/pay/**", upstream.urls = ["%1$s"] }
                  { name = echo, match.path = "/**", upstream.urls = ["%1$s"], idempotency.mode = off }
                ]
                """.formatted(upstream.url());
        https = GatewayFixture.start(routes + "idemgate.server.tls { cert = \"%s\", key = \"%s\" }\n"
                .formatted(cert.cert(), cert.key()));
        h2c = GatewayFixture.start(routes + "idemgate.server.h2c = true\n");
        h2Client = HttpClient.newBuilder().sslContext(ca.clientContext()).version(HttpClient.Version.HTTP_2)
                .connectTimeout(TIMEOUT).build();
        h1Client = HttpClient.newBuilder().sslContext(ca.clientContext()).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(TIMEOUT).build();
    }

    @AfterAll
    void stop() throws Exception {
        if (https != null) {
            https.close();
        }
        if (h2c != null) {
            h2c.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    private URI httpsUri(String path) {
        return URI.create("https://127.0.0.1:" + https.port() + path);
    }

    @Test
    void http2OverTlsIsOneHttp11RequestUpstreamWithHostFromAuthority() throws Exception {
        upstream.clearRequests();
        HttpResponse<String> r = h2Client.send(HttpRequest.newBuilder(httpsUri("/things?q=1")).timeout(TIMEOUT)
                .header("X-Custom", "v").build(), HttpResponse.BodyHandlers.ofString());

        assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(r.statusCode()).isEqualTo(201);
        ReceivedRequest got = upstream.awaitRequests(1, TIMEOUT).get(0);
        assertThat(got.uri()).isEqualTo("/things?q=1");
        assertThat(got.header("Host")).isEqualTo("127.0.0.1:" + https.port());
        assertThat(got.header("X-Custom")).isEqualTo("v");
        assertThat(got.header("X-Forwarded-Proto")).isEqualTo("https");
        assertThat(got.headers().keySet()).noneMatch(n -> n.toLowerCase().startsWith("x-http2-"));
    }

    @Test
    void http11OverTlsStillWorks() throws Exception {
        HttpResponse<String> r = h1Client.send(HttpRequest.newBuilder(httpsUri("/plain")).timeout(TIMEOUT).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
        assertThat(r.statusCode()).isEqualTo(201);
    }

    @Test
    void aRetryOverHttp2IsReplayedAndAnHttp11RetryOfTheSameKeyToo() throws Exception {
        HttpRequest post = HttpRequest.newBuilder(httpsUri("/pay/1")).timeout(TIMEOUT)
                .header("Idempotency-Key", "h2-mixed-1").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"amount\":5}")).build();

        HttpResponse<String> first = h2Client.send(post, HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> retry = h2Client.send(post, HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> viaHttp1 = h1Client.send(post, HttpResponse.BodyHandlers.ofString());

        assertThat(first.statusCode()).isEqualTo(201);
        assertThat(first.headers().firstValue("Idempotent-Replayed")).isEmpty();
        assertThat(retry.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(retry.body()).isEqualTo(first.body());
        assertThat(viaHttp1.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
        assertThat(viaHttp1.body()).isEqualTo(first.body());
    }

    @Test
    void curlSpeaksH2cWithPriorKnowledgeAndHttp11OnTheSamePort() throws Exception {
        String url = "http://127.0.0.1:" + h2c.port() + "/h2c";
        CommandLine.Result h2 = CommandLine.run("curl", "-sS", "--max-time", "10", "--http2-prior-knowledge",
                "-o", "/dev/null", "-w", "%{http_version} %{http_code}", url);
        CommandLine.Result h1 = CommandLine.run("curl", "-sS", "--max-time", "10", "--http1.1",
                "-o", "/dev/null", "-w", "%{http_version} %{http_code}", url);

        assertThat(h2.output()).isEqualTo("2 201");
        assertThat(h1.output()).isEqualTo("1.1 201");
    }

    @Test
    void curlOverTlsNegotiatesH2AndVerifiesTheCertificate() throws Exception {
        CommandLine.Result r = CommandLine.run("curl", "-sS", "--max-time", "10", "--http2", "--cacert",
                ca.caCert().toString(), "-o", "/dev/null", "-w", "%{http_version} %{http_code}",
                "https://localhost:" + https.port() + "/curl", "--resolve", "localhost:" + https.port() + ":127.0.0.1");

        assertThat(r.output()).isEqualTo("2 201");
    }

    @Test
    void openSslSeesTls13AndAlpnH2AndTls11IsRefused() throws Exception {
        String target = "127.0.0.1:" + https.port();
        CommandLine.Result h2 = CommandLine.run(List.of("openssl", "s_client", "-connect", target, "-alpn", "h2,http/1.1",
                "-CAfile", ca.caCert().toString()), "");
        CommandLine.Result tls12 = CommandLine.run(List.of("openssl", "s_client", "-connect", target, "-tls1_2",
                "-alpn", "http/1.1", "-CAfile", ca.caCert().toString()), "");
        CommandLine.Result tls11 = CommandLine.run(List.of("openssl", "s_client", "-connect", target, "-tls1_1"), "");

        assertThat(h2.output()).contains("TLSv1.3").contains("ALPN protocol: h2");
        assertThat(tls12.output()).contains("TLSv1.2").contains("ALPN protocol: http/1.1");
        assertThat(tls11.output()).doesNotContain("ALPN protocol");
    }

    @Test
    void handshakesAreCountedByResultAndProtocol() throws Exception {
        double before = https.scrapeMetrics().value("idemgate_tls_handshakes_total", "result", "success", "protocol", "h2");
        h2Client.send(HttpRequest.newBuilder(httpsUri("/count")).timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.discarding());
        HttpClient fresh = HttpClient.newBuilder().sslContext(ca.clientContext()).version(HttpClient.Version.HTTP_2).build();
        fresh.send(HttpRequest.newBuilder(httpsUri("/count")).timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.discarding());
        // An untrusting client fails its handshake.
        CommandLine.run("curl", "-sS", "--max-time", "10", "https://127.0.0.1:" + https.port() + "/x");

        var metrics = https.scrapeMetrics();
        assertThat(metrics.value("idemgate_tls_handshakes_total", "result", "success", "protocol", "h2")).isGreaterThan(before);
        assertThat(metrics.value("idemgate_tls_handshakes_total", "result", "failure", "protocol", "")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void theAdminApiServesHttpsWithAdminTls() throws Exception {
        try (GatewayFixture withAdminTls = GatewayFixture.start(
                "idemgate.admin.tls { cert = \"%s\", key = \"%s\" }\n".formatted(cert.cert(), cert.key()))) {
            HttpResponse<String> r = h1Client.send(HttpRequest.newBuilder(
                    URI.create("https://127.0.0.1:" + withAdminTls.gateway().adminPort() + "/healthz")).timeout(TIMEOUT).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(r.statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aKeyThatDoesNotMatchItsCertificateStopsTheStartNamingTheKeyPath() throws Exception {
        TestCertificates.Issued other = ca.issue("other");
        Path mixed = dir.resolve("mixed.conf");
        Files.writeString(mixed, "idemgate.server.tls { cert = \"%s\", key = \"%s\" }\n".formatted(cert.cert(), other.key()));

        assertThatThrownBy(() -> Gateway.start(ConfigLoader.load(mixed)))
                .hasMessageContaining("idemgate.server.tls: the key " + other.key() + " does not belong to the certificate");
    }
}
