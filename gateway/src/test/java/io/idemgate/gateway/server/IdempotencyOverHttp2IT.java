package io.idemgate.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.idemgate.gateway.testsupport.Behaviour;
import io.idemgate.gateway.testsupport.GatewayFixture;
import io.idemgate.gateway.testsupport.TestCertificates;
import io.idemgate.gateway.testsupport.TestUpstream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every HTTP/2 stream is one exchange with SPEC §1's semantics: concurrent streams with one key make one
 * upstream execution, a mismatched payload is 422, and a stream the client resets is a disconnect whose
 * upstream call still finishes and is stored. The JDK's HttpClient over TLS (it has no h2c prior knowledge),
 * all streams on one connection.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IdempotencyOverHttp2IT {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private TestUpstream upstream;
    private GatewayFixture gateway;
    private HttpClient h2;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        TestCertificates ca = TestCertificates.newCa(dir, "h2");
        TestCertificates.Issued cert = ca.issue("gateway");
        upstream = TestUpstream.start().handle(Behaviour.delay(Duration.ofMillis(500), Behaviour.created()));
        gateway = GatewayFixture.start("""
                idemgate.server.tls { cert = "%s", key = "%s" }
                idemgate.routes = [{ name = pay, match.path = "/**", upstream.urls = ["%s"],
                                     idempotency.wait-timeout = 15s }]
                """.formatted(cert.cert(), cert.key(), upstream.url()));
        h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(ca.clientContext())
                .connectTimeout(TIMEOUT).build();
    }

    @AfterAll
    void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    private HttpRequest post(String key, String body, Duration timeout) {
        return HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + gateway.port() + "/pay")).timeout(timeout)
                .header("Idempotency-Key", key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    @Test
    void aHundredConcurrentStreamsWithOneKeyRunOnceAndGetTheSameBody() throws Exception {
        upstream.clearRequests();
        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            all.add(h2.sendAsync(post("h2-hundred", "{\"n\":1}", TIMEOUT), HttpResponse.BodyHandlers.ofString()));
        }
        List<HttpResponse<String>> responses = new ArrayList<>();
        for (CompletableFuture<HttpResponse<String>> f : all) {
            responses.add(f.get(30, TimeUnit.SECONDS));
        }

        assertThat(responses).allSatisfy(r -> {
            assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(r.statusCode()).isEqualTo(201);
        });
        assertThat(responses.stream().map(HttpResponse::body).distinct()).hasSize(1);
        assertThat(upstream.requests().stream().filter(r -> "/pay".equals(r.uri()))).hasSize(1);
    }

    @Test
    void aKeyReusedWithAnotherPayloadIs422() throws Exception {
        HttpResponse<String> first = h2.send(post("h2-mismatch", "{\"n\":1}", TIMEOUT), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> other = h2.send(post("h2-mismatch", "{\"n\":2}", TIMEOUT), HttpResponse.BodyHandlers.ofString());

        assertThat(first.statusCode()).isEqualTo(201);
        assertThat(other.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(other.statusCode()).isEqualTo(422);
    }

    @Test
    void aStreamResetMidFlightStillStoresTheResultAndTheRetryIsReplayed() throws Exception {
        upstream.clearRequests();
        // The client gives up after 100 ms: the JDK client resets the stream (RST_STREAM CANCEL).
        assertThatThrownBy(() -> h2.send(post("h2-reset", "{\"n\":3}", Duration.ofMillis(100)),
                HttpResponse.BodyHandlers.ofString())).isInstanceOf(HttpTimeoutException.class);
        upstream.awaitRequests(1, TIMEOUT);

        HttpResponse<String> retry = h2.send(post("h2-reset", "{\"n\":3}", TIMEOUT), HttpResponse.BodyHandlers.ofString());

        assertThat(retry.statusCode()).isEqualTo(201);
        assertThat(retry.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(upstream.requests()).hasSize(1);
    }
}
