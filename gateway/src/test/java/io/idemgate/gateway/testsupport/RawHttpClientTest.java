package io.idemgate.gateway.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.SocketTimeoutException;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RawHttpClientTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private final TestUpstream upstream = TestUpstream.start();

    @AfterEach
    void stop() {
        upstream.close();
    }

    @Test
    void parsesAChunkedResponse() throws Exception {
        try (RawHttpClient raw = RawHttpClient.connect(upstream.port())) {
            raw.send("POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nX-Probe: 1\r\n\r\n"
                    + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
            RawHttpClient.RawResponse response = raw.readResponse(TIMEOUT);

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.header("Transfer-Encoding")).isEqualTo("chunked");
            assertThat(response.header("x-echo-x-probe")).isEqualTo("1");
            assertThat(response.bodyAsString()).isEqualTo("hello world");
        }
    }

    @Test
    void readsConsecutiveContentLengthResponsesOnOneConnection() throws Exception {
        upstream.handle(Behaviour.respond(202, "ok"));
        try (RawHttpClient raw = RawHttpClient.connect(upstream.port())) {
            raw.send("GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(raw.readResponse(TIMEOUT).bodyAsString()).isEqualTo("ok");
            assertThat(raw.readResponse(TIMEOUT).status()).isEqualTo(202);
            assertThat(raw.isClosedByPeer(Duration.ofMillis(100))).isFalse();
        }
    }

    @Test
    void reportsAClosedConnection() throws Exception {
        upstream.handle(Behaviour.closeWithoutResponse());
        try (RawHttpClient raw = RawHttpClient.connect(upstream.port())) {
            raw.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(raw.isClosedByPeer(TIMEOUT)).isTrue();
        }
    }

    @Test
    void readTimesOutWhenNothingArrives() throws Exception {
        upstream.handle(Behaviour.never());
        try (RawHttpClient raw = RawHttpClient.connect(upstream.port())) {
            raw.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThatThrownBy(() -> raw.readResponse(Duration.ofMillis(200))).isInstanceOf(SocketTimeoutException.class);
        }
    }

    @Test
    void closeHeaderEndsTheConnectionAfterTheResponse() throws Exception {
        try (RawHttpClient raw = RawHttpClient.connect(upstream.port())) {
            raw.send("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            RawHttpClient.RawResponse response = raw.readResponse(TIMEOUT);
            assertThat(response.header("connection")).isEqualTo("close");
            assertThat(raw.isClosedByPeer(TIMEOUT)).isTrue();
        }
    }
}
