package io.idemgate.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.idemgate.gateway.testsupport.FreePorts;
import io.idemgate.gateway.testsupport.GatewayFixture;
import io.idemgate.gateway.testsupport.Nginx;
import io.idemgate.gateway.testsupport.TestCertificates;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * SPEC §1 upstreams over https, against a real nginx with a certificate from a test CA: hostname
 * verification, an extra CA, mutual TLS, and the failures (wrong CA, wrong name) that must be a 502 with the
 * idempotency key released, since nothing was sent.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpsUpstreamIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private Nginx nginx;
    private GatewayFixture gateway;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        TestCertificates ca = TestCertificates.newCa(dir, "upstream");
        TestCertificates otherCa = TestCertificates.newCa(dir, "stranger");
        TestCertificates.Issued server = ca.issue("nginx", "DNS:localhost,IP:127.0.0.1",
                dir.resolve("nginx.pem"), dir.resolve("nginx.key"));
        TestCertificates.Issued wrongName = ca.issue("wrongname", "DNS:elsewhere.example",
                dir.resolve("wrongname.pem"), dir.resolve("wrongname.key"));
        TestCertificates.Issued client = ca.issue("client");
        int plain = FreePorts.freePort();
        int mtls = FreePorts.freePort();
        int misnamed = FreePorts.freePort();
        String answer = "return 200 \"sni=$ssl_server_name client=$ssl_client_verify\\n\";";
        nginx = Nginx.start(dir, """
                server { listen 127.0.0.1:%1$d ssl; ssl_certificate %4$s; ssl_certificate_key %5$s;
                         location / { %8$s } }
                server { listen 127.0.0.1:%2$d ssl; ssl_certificate %4$s; ssl_certificate_key %5$s;
                         ssl_verify_client on; ssl_client_certificate %9$s;
                         location / { %8$s } }
                server { listen 127.0.0.1:%3$d ssl; ssl_certificate %6$s; ssl_certificate_key %7$s;
                         location / { %8$s } }
                """.formatted(plain, mtls, misnamed, server.cert(), server.key(), wrongName.cert(), wrongName.key(),
                answer, ca.caCert()), plain, mtls, misnamed);
        gateway = GatewayFixture.start("""
                idemgate.routes = [
                  { name = verified, match.path = "/verified/**", upstream { urls = ["https://localhost:%1$d"], tls.ca = "%4$s" } }
                  { name = mutual, match.path = "/mutual/**",
                    upstream { urls = ["https://localhost:%2$d"], tls { ca = "%4$s", cert = "%5$s", key = "%6$s" } } }
                  { name = nocert, match.path = "/nocert/**", upstream { urls = ["https://localhost:%2$d"], tls.ca = "%4$s" } }
                  { name = wrongca, match.path = "/wrongca/**", upstream { urls = ["https://localhost:%1$d"], tls.ca = "%7$s" } }
                  { name = wrongname, match.path = "/wrongname/**", upstream { urls = ["https://localhost:%3$d"], tls.ca = "%4$s" } }
                  { name = unverified, match.path = "/unverified/**",
                    upstream { urls = ["https://localhost:%3$d"], tls.verify = false } }
                ]
                """.formatted(plain, mtls, misnamed, ca.caCert(), client.cert(), client.key(), otherCa.caCert()));
    }

    @AfterAll
    void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        if (nginx != null) {
            nginx.close();
        }
    }

    private HttpResponse<String> post(String path, String key) throws Exception {
        return gateway.client().send(HttpRequest.newBuilder(gateway.uri(path)).timeout(TIMEOUT)
                .header("Idempotency-Key", key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void anHttpsUpstreamIsVerifiedAgainstTheExtraCa() throws Exception {
        HttpResponse<String> r = gateway.get(gateway.uri("/verified/a"));

        assertThat(r.statusCode()).isEqualTo(200);
        // Single-label names such as "localhost" carry SNI too (Netty and the JDK would send none), so an
        // upstream serving several names can choose; the certificate is checked against the name as well
        // (see aCertificateForAnotherNameIsA502).
        assertThat(r.body()).isEqualTo("sni=localhost client=NONE\n");
    }

    @Test
    void mutualTlsPresentsTheClientCertificate() throws Exception {
        HttpResponse<String> withCert = gateway.get(gateway.uri("/mutual/a"));
        HttpResponse<String> without = gateway.get(gateway.uri("/nocert/a"));

        assertThat(withCert.statusCode()).isEqualTo(200);
        assertThat(withCert.body()).endsWith("client=SUCCESS\n");
        assertThat(without.statusCode()).isEqualTo(400); // nginx: "No required SSL certificate was sent"
    }

    @Test
    void aWrongCaIsA502AndTheKeyIsReleased() throws Exception {
        HttpResponse<String> first = post("/wrongca/a", "wrong-ca-1");
        HttpResponse<String> retry = post("/wrongca/a", "wrong-ca-1");

        assertThat(first.statusCode()).isEqualTo(502);
        assertThat(first.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        // Released, not claimed-and-lost: the retry runs again (another 502), rather than a 409 outcome-unknown.
        assertThat(retry.statusCode()).isEqualTo(502);
        assertThat(gateway.scrapeMetrics().value("idemgate_requests_total", "route", "wrongca", "outcome", "outcome_unknown"))
                .isZero();
    }

    @Test
    void aCertificateForAnotherNameIsA502() throws Exception {
        assertThat(post("/wrongname/a", "wrong-name-1").statusCode()).isEqualTo(502);
        assertThat(post("/wrongname/a", "wrong-name-1").statusCode()).isEqualTo(502);
    }

    @Test
    void verifyFalseAcceptsAnyCertificate() throws Exception {
        HttpResponse<String> r = gateway.get(gateway.uri("/unverified/a"));

        assertThat(r.statusCode()).isEqualTo(200);
    }
}
