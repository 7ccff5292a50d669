package io.idemgate.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.idemgate.gateway.testsupport.Behaviour;
import io.idemgate.gateway.testsupport.GatewayFixture;
import io.idemgate.gateway.testsupport.TestCertificates;
import io.idemgate.gateway.testsupport.TestUpstream;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Certificate rotation under load: the files are replaced (renamed into place, as deploy tools do) while
 * clients keep opening new connections; new handshakes get the new certificate, nothing fails, and a bad
 * replacement keeps the current certificate and is counted.
 */
class CertificateRotationIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    @Test
    void newHandshakesGetTheNewCertificateWithoutAFailedRequestAndABadFileKeepsTheOld(@TempDir Path dir) throws Exception {
        TestCertificates ca = TestCertificates.newCa(dir, "rotate");
        Path certFile = dir.resolve("live.pem");
        Path keyFile = dir.resolve("live.key");
        ca.issue("first", "DNS:localhost,IP:127.0.0.1", certFile, keyFile);
        SSLContext trust = ca.clientContext();
        try (TestUpstream upstream = TestUpstream.start().handle(Behaviour.respond(200, "ok"));
             GatewayFixture gateway = GatewayFixture.start(GatewayFixture.oneRoute("all", upstream.url(), "")
                     + "idemgate.server.tls { cert = \"%s\", key = \"%s\" }\n".formatted(certFile, keyFile))) {
            BigInteger first = servedSerial(trust, gateway.port());
            URI uri = URI.create("https://127.0.0.1:" + gateway.port() + "/load");
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicInteger ok = new AtomicInteger();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread load = new Thread(() -> {
                while (running.get() && failure.get() == null) {
                    // A new client each time: a new connection, so a new handshake, during the swap.
                    HttpClient client = HttpClient.newBuilder().sslContext(trust).connectTimeout(TIMEOUT).build();
                    try {
                        HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT).build(),
                                HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() != 200) {
                            failure.set(new AssertionError("status " + r.statusCode()));
                        }
                        ok.incrementAndGet();
                    } catch (Exception e) {
                        failure.set(e);
                    }
                }
            }, "rotation-load");
            load.start();
            try {
                await().atMost(TIMEOUT).until(() -> ok.get() >= 5);
                TestCertificates.Issued second = ca.issue("second");
                replace(keyFile, second.key());
                replace(certFile, second.cert());

                await().atMost(TIMEOUT).until(() -> !servedSerial(trust, gateway.port()).equals(first));
                int at = ok.get();
                await().atMost(TIMEOUT).until(() -> ok.get() >= at + 5);
            } finally {
                running.set(false);
                load.join(TIMEOUT.toMillis());
            }
            assertThat(failure.get()).isNull();
            BigInteger secondSerial = servedSerial(trust, gateway.port());

            // A key that does not belong to the certificate: the current certificate stays.
            TestCertificates.Issued stray = ca.issue("stray");
            replace(keyFile, stray.key());
            await().atMost(TIMEOUT).untilAsserted(() -> assertThat(gateway.scrapeMetrics()
                    .value("idemgate_tls_certificate_reloads_total", "result", "failure")).isEqualTo(1));
            assertThat(servedSerial(trust, gateway.port())).isEqualTo(secondSerial);
            assertThat(gateway.scrapeMetrics().value("idemgate_tls_certificate_reloads_total", "result", "success")).isEqualTo(1);
            assertThat(gateway.scrapeMetrics().value("idemgate_tls_handshakes_total", "result", "failure", "protocol", "")).isZero();
        }
    }

    private static void replace(Path target, Path source) throws Exception {
        Path tmp = Files.createTempFile(target.getParent(), ".swap", ".tmp");
        Files.copy(source, tmp, StandardCopyOption.REPLACE_EXISTING);
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static BigInteger servedSerial(SSLContext trust, int port) throws Exception {
        try (SSLSocket s = (SSLSocket) trust.getSocketFactory().createSocket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            s.startHandshake();
            return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSerialNumber();
        }
    }
}
