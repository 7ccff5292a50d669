package io.idemgate.gateway.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TestUpstreamTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final TestUpstream upstream = TestUpstream.start();

    @AfterEach
    void stop() {
        upstream.close();
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(upstream.url() + path)).timeout(TIMEOUT);
    }

    @Test
    void echoRoundTripsBodyAndReflectsHeaders() throws Exception {
        HttpResponse<String> response = client.send(request("/v1/pay?x=1")
                .header("Idempotency-Key", "k-1").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"a\":1}")).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"a\":1}");
        assertThat(response.headers().firstValue("X-Echo-Idempotency-Key")).hasValue("k-1");
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");

        ReceivedRequest received = upstream.awaitRequests(1, TIMEOUT).get(0);
        assertThat(received.method()).isEqualTo("POST");
        assertThat(received.uri()).isEqualTo("/v1/pay?x=1");
        assertThat(received.header("idempotency-key")).isEqualTo("k-1");
        assertThat(received.bodyAsString()).isEqualTo("{\"a\":1}");
        assertThat(received.complete()).isTrue();
    }

    @Test
    void keepAliveReusesOneConnection() throws Exception {
        for (int i = 0; i < 3; i++) {
            client.send(request("/r" + i).GET().build(), HttpResponse.BodyHandlers.ofString());
        }
        assertThat(upstream.requestCount()).isEqualTo(3);
        assertThat(upstream.connectionsAccepted()).isEqualTo(1);
    }

    @Test
    void tenMebibyteUploadIsHashedWhileStreamingAndEchoedBack() throws Exception {
        long size = 10L * 1024 * 1024;
        HttpResponse<InputStream> response = client.send(request("/upload")
                .POST(HttpRequest.BodyPublishers.fromPublisher(
                        HttpRequest.BodyPublishers.ofInputStream(() -> DeterministicBytes.stream(size)), size))
                .build(), HttpResponse.BodyHandlers.ofInputStream());

        assertThat(sha256(response.body())).isEqualTo(DeterministicBytes.sha256Hex(size));
        ReceivedRequest received = upstream.awaitRequests(1, TIMEOUT).get(0);
        assertThat(received.bodyLength()).isEqualTo(size);
        assertThat(received.bodySha256()).isEqualTo(DeterministicBytes.sha256Hex(size));
        assertThat(received.body()).as("big bodies are not kept").isNull();
    }

    @Test
    void downloadStreamsTheDeterministicBody() throws Exception {
        long size = 10L * 1024 * 1024 + 7;
        upstream.handle(Behaviour.download(size));
        HttpResponse<InputStream> response = client.send(request("/file").GET().build(), HttpResponse.BodyHandlers.ofInputStream());

        assertThat(response.headers().firstValueAsLong("Content-Length")).hasValue(size);
        assertThat(sha256(response.body())).isEqualTo(DeterministicBytes.sha256Hex(size));
    }

    @Test
    void respondAndDelayAnswerAsProgrammed() throws Exception {
        upstream.handle(Behaviour.delay(Duration.ofMillis(100), Behaviour.respond(201, Map.of("X-Id", "7"), "made")));
        long t0 = System.nanoTime();
        HttpResponse<String> response = client.send(request("/make").POST(HttpRequest.BodyPublishers.ofString("b")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(100));
        assertThat(response.statusCode()).isEqualTo(201);
        assertThat(response.headers().firstValue("X-Id")).hasValue("7");
        assertThat(response.body()).isEqualTo("made");
    }

    @Test
    void delayedEchoKeepsTheBody() throws Exception {
        upstream.handle(Behaviour.delay(Duration.ofMillis(20), Behaviour.echo()));
        HttpResponse<String> response = client.send(request("/e").POST(HttpRequest.BodyPublishers.ofString("hello")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.body()).isEqualTo("hello");
    }

    @Test
    void closeAfterHeadersTruncatesTheBody() throws Exception {
        upstream.handle(Behaviour.closeAfterHeaders());
        try (RawHttpClient raw = RawHttpClient.connect(upstream.port())) {
            raw.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThatThrownBy(() -> raw.readResponse(TIMEOUT)).isInstanceOf(java.io.EOFException.class)
                    .hasMessageContaining("100 of 1000");
        }
    }

    @Test
    void closeWithoutResponseAndNeverAreRecordedButUnanswered() throws Exception {
        upstream.handle(Behaviour.closeWithoutResponse());
        // POST: java.net.http silently retries a GET once when the connection closes.
        assertThatThrownBy(() -> client.send(request("/c").POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(IOException.class);

        upstream.handle(Behaviour.never());
        assertThatThrownBy(() -> client.send(request("/n").timeout(Duration.ofMillis(300)).GET().build(),
                HttpResponse.BodyHandlers.ofString())).isInstanceOf(HttpTimeoutException.class);

        assertThat(upstream.awaitRequests(2, TIMEOUT)).extracting(ReceivedRequest::uri).containsExactly("/c", "/n");
    }

    @Test
    void awaitRequestsFailsAfterItsTimeout() {
        assertThatThrownBy(() -> upstream.awaitRequests(1, Duration.ofMillis(50)))
                .isInstanceOf(AssertionError.class).hasMessageContaining("got 0");
    }

    private static String sha256(InputStream in) throws IOException {
        try (in) {
            MessageDigest digest = DeterministicBytes.sha256();
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = in.read(buf)) >= 0; ) {
                digest.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        }
    }
}
