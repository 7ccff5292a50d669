package io.idemgate.gateway.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import io.idemgate.gateway.testsupport.GatewayFixture;
import io.idemgate.gateway.testsupport.ProxyTestBed;
import io.idemgate.gateway.testsupport.RawHttpClient;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Malformed and hostile input: each is refused with the right status, the connection is closed, no
 * byte reaches the upstream, and the next connection is served normally.
 */
class BadInputIT {

    @AutoClose
    private static ProxyTestBed bed;

    @BeforeAll
    static void start() throws Exception {
        bed = ProxyTestBed.start(url -> GatewayFixture.oneRoute("echo", url, "")
                + "idemgate.server { max-header-size = 4k, max-initial-line-length = 1k, idle-timeout = 500ms }\n");
    }

    @AfterEach
    void nextConnectionIsServedAndNothingReachedTheUpstream() throws Exception {
        assertThat(bed.upstream().requests()).isEmpty();
        try (RawHttpClient raw = RawHttpClient.connect(bed.gateway().port())) {
            raw.send("POST /fine HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nok");
            assertThat(raw.readResponse(Duration.ofSeconds(5)).bodyAsString()).isEqualTo("ok");
        }
        bed.upstream().clearRequests();
    }

    private RawHttpClient.RawResponse refuse(String raw) throws Exception {
        try (RawHttpClient c = RawHttpClient.connect(bed.gateway().port())) {
            c.send(raw);
            RawHttpClient.RawResponse r = c.readResponse(Duration.ofSeconds(5));
            assertThat(r.header("Content-Type")).isEqualTo("application/problem+json");
            assertThat(r.header("Connection")).isEqualToIgnoringCase("close");
            assertThat(c.isClosedByPeer(Duration.ofSeconds(5))).isTrue();
            return r;
        }
    }

    @Test
    void garbageRequestLineGets400() throws Exception {
        assertThat(refuse("HELLO\r\n\r\n").status()).isEqualTo(400);
    }

    @Test
    void headerWithoutColonGets400() throws Exception {
        assertThat(refuse("GET / HTTP/1.1\r\nHost: a\r\nthis is not a header\r\n\r\n").status()).isEqualTo(400);
    }

    @Test
    void invalidHeaderNameGets400() throws Exception {
        assertThat(refuse("GET / HTTP/1.1\r\nHost: a\r\nBad Name: x\r\n\r\n").status()).isEqualTo(400);
    }

    @Test
    void controlCharacterInHeaderValueGets400() throws Exception {
        assertThat(refuse("GET / HTTP/1.1\r\nHost: a\r\nX-Evil: a\u0001b\r\n\r\n").status()).isEqualTo(400);
    }

    @Test
    void contentLengthWithTransferEncodingGets400() throws Exception {
        RawHttpClient.RawResponse r = refuse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
        assertThat(r.status()).isEqualTo(400);
    }

    @Test
    void twoDifferingContentLengthsGet400() throws Exception {
        assertThat(refuse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc").status())
                .isEqualTo(400);
    }

    @Test
    void invalidContentLengthGets400() throws Exception {
        assertThat(refuse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -5\r\n\r\n").status()).isEqualTo(400);
    }

    @Test
    void oversizedHeadersGet431() throws Exception {
        assertThat(refuse("GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + "b".repeat(8000) + "\r\n\r\n").status())
                .isEqualTo(431);
    }

    @Test
    void oversizedRequestLineGets414() throws Exception {
        assertThat(refuse("GET /" + "u".repeat(2000) + " HTTP/1.1\r\nHost: a\r\n\r\n").status()).isEqualTo(414);
    }

    /**
     * The smuggling shape the probe of main found: the gateway read the body by its Content-Length,
     * then stripped Content-Length as a Connection option, so the body reached the upstream unframed
     * and was parsed there as a DELETE the gateway never saw.
     */
    @Test
    void connectionNamingContentLengthGets400AndSmugglesNothing() throws Exception {
        String smuggled = "DELETE /v1/orders/123 HTTP/1.1\r\nHost: x\r\n\r\n";
        RawHttpClient.RawResponse r = refuse("GET /v1/anything HTTP/1.1\r\nHost: x\r\nConnection: Content-Length\r\n"
                + "Content-Length: " + smuggled.length() + "\r\n\r\n" + smuggled);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.bodyAsString()).contains("content-length");
    }

    @Test
    void connectionNamingContentLengthAmongOtherOptionsInAnyCaseGets400() throws Exception {
        String smuggled = "GET /admin HTTP/1.1\r\nHost: x\r\n\r\n";
        assertThat(refuse("POST /a HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\nConnection: x-foo , cOnTeNt-LeNgTh\r\n"
                + "Content-Length: " + smuggled.length() + "\r\n\r\n" + smuggled).status()).isEqualTo(400);
    }

    @Test
    void connectionNamingTransferEncodingGets400() throws Exception {
        assertThat(refuse("POST /a HTTP/1.1\r\nHost: x\r\nConnection: Transfer-Encoding\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n").status()).isEqualTo(400);
    }

    @Test
    void connectionNamingHostGets400() throws Exception {
        assertThat(refuse("GET /a HTTP/1.1\r\nHost: x\r\nConnection: close, host\r\n\r\n").status()).isEqualTo(400);
    }

    @Test
    void encodedSlashInThePathGets400() throws Exception {
        assertThat(refuse("GET /v1%2F..%2Fadmin HTTP/1.1\r\nHost: a\r\n\r\n").status()).isEqualTo(400);
    }

    @Test
    void controlCharactersInThePathGet400RawOrEncoded() throws Exception {
        assertThat(refuse("GET /v1/a\u0000b HTTP/1.1\r\nHost: a\r\n\r\n").status()).isEqualTo(400);
        assertThat(refuse("GET /v1/a%1b[31m HTTP/1.1\r\nHost: a\r\n\r\n").status()).isEqualTo(400);
        assertThat(refuse("GET /v1/a\u007fb HTTP/1.1\r\nHost: a\r\n\r\n").status()).isEqualTo(400);
    }

    @Test
    void dotSegmentsClimbingAboveTheRootGet400() throws Exception {
        assertThat(refuse("GET /../etc/passwd HTTP/1.1\r\nHost: a\r\n\r\n").status()).isEqualTo(400);
        assertThat(refuse("GET /a/%2e%2e/%2e%2e/b HTTP/1.1\r\nHost: a\r\n\r\n").status()).isEqualTo(400);
    }

    @Test
    void idempotencyMethodInLowerCaseGets400BeforeRouting() throws Exception {
        assertThat(refuse("post /v1/orders HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\n{}").status()).isEqualTo(400);
        assertThat(refuse("Patch /v1/orders HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\n{}").status()).isEqualTo(400);
    }

    @Test
    void duplicateHostGets400() throws Exception {
        assertThat(refuse("GET /x HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n").status()).isEqualTo(400);
    }

    @Test
    void http11WithoutHostGets400() throws Exception {
        assertThat(refuse("GET /x HTTP/1.1\r\nAccept: */*\r\n\r\n").status()).isEqualTo(400);
    }

    @Test
    void userinfoInTheTargetGets400() throws Exception {
        assertThat(refuse("GET http://victim@a/x HTTP/1.1\r\nHost: a\r\n\r\n").status()).isEqualTo(400);
    }

    @Test
    void hostWithUserinfoOrAPathGets400() throws Exception {
        assertThat(refuse("GET /x HTTP/1.1\r\nHost: victim@a\r\n\r\n").status()).isEqualTo(400);
        assertThat(refuse("GET /x HTTP/1.1\r\nHost: a/evil\r\n\r\n").status()).isEqualTo(400);
    }

    @Test
    void idleClientConnectionIsClosed() throws Exception {
        try (RawHttpClient c = RawHttpClient.connect(bed.gateway().port())) {
            assertThat(c.isClosedByPeer(Duration.ofSeconds(5))).isTrue();
        }
    }
}
