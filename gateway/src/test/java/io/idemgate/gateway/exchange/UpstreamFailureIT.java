package io.idemgate.gateway.exchange;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.idemgate.gateway.testsupport.Behaviour;
import io.idemgate.gateway.testsupport.GatewayFixture;
import io.idemgate.gateway.testsupport.ProxyTestBed;
import io.idemgate.gateway.testsupport.RawHttpClient;
import java.io.EOFException;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** How upstream failures become 502/504 or a closed client connection. */
class UpstreamFailureIT {

    @AutoClose
    private static ProxyTestBed bed;

    @BeforeAll
    static void start() throws Exception {
        bed = ProxyTestBed.start(url -> GatewayFixture.oneRoute("flaky", url, ", response-timeout = 400ms"));
    }

    @Test
    void refusedConnectionGives502AndKeepsTheClientConnection() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        try (GatewayFixture g = GatewayFixture.start(GatewayFixture.oneRoute("down", "http://127.0.0.1:" + closedPort, ""));
             RawHttpClient raw = RawHttpClient.connect(g.port())) {
            raw.send("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi");
            RawHttpClient.RawResponse r = raw.readResponse(Duration.ofSeconds(5));
            assertThat(r.status()).isEqualTo(502);
            assertThat(r.bodyAsString()).contains("urn:idemgate:problem:upstream-unreachable");
            raw.send("GET /y HTTP/1.1\r\nHost: a\r\n\r\n");
            assertThat(raw.readResponse(Duration.ofSeconds(5)).status()).isEqualTo(502);
        }
    }

    @Test
    void silentUpstreamGives504AfterTheResponseTimeout() throws Exception {
        bed.upstream().handle(Behaviour.never());
        try (RawHttpClient raw = RawHttpClient.connect(bed.gateway().port())) {
            raw.send("POST /slow HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi");
            RawHttpClient.RawResponse r = raw.readResponse(Duration.ofSeconds(5));
            assertThat(r.status()).isEqualTo(504);
            assertThat(r.header("Content-Type")).isEqualTo("application/problem+json");
            assertThat(r.bodyAsString()).contains("urn:idemgate:problem:upstream-timeout");
        }
    }

    @Test
    void upstreamClosingBeforeAnsweringGives502() throws Exception {
        bed.upstream().handle(Behaviour.closeWithoutResponse());
        try (RawHttpClient raw = RawHttpClient.connect(bed.gateway().port())) {
            raw.send("POST /reset HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi");
            RawHttpClient.RawResponse r = raw.readResponse(Duration.ofSeconds(5));
            assertThat(r.status()).isEqualTo(502);
            assertThat(r.bodyAsString()).contains("urn:idemgate:problem:upstream-failed");
        }
    }

    @Test
    void upstreamClosingMidResponseClosesTheClientWithATruncatedBody() throws Exception {
        bed.upstream().handle(Behaviour.closeAfterHeaders());
        try (RawHttpClient raw = RawHttpClient.connect(bed.gateway().port())) {
            raw.send("GET /cut HTTP/1.1\r\nHost: a\r\n\r\n");
            // The status and Content-Length arrive, then the connection closes short of the body.
            assertThatThrownBy(() -> raw.readResponse(Duration.ofSeconds(5)))
                    .isInstanceOf(EOFException.class).hasMessageContaining("connection closed after");
        }
    }

    @Test
    void slowButTimelyUpstreamIsNotCutOff() throws Exception {
        bed.upstream().handle(Behaviour.delay(Duration.ofMillis(150), Behaviour.echo()));
        try (RawHttpClient raw = RawHttpClient.connect(bed.gateway().port())) {
            raw.send("POST /ok HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi");
            RawHttpClient.RawResponse r = raw.readResponse(Duration.ofSeconds(5));
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyAsString()).isEqualTo("hi");
        }
    }
}
