package io.idemgate.gateway.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.idemgate.gateway.testsupport.ProxyTestBed;
import io.idemgate.gateway.testsupport.RawHttpClient;
import io.idemgate.gateway.testsupport.ReceivedRequest;
import java.time.Duration;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A request pipelined behind an answer that closes the connection is never served: the client was
 * told the connection ends there. Found by the differential fuzzer: a local answer (404, a replay) is
 * written and the connection closed while the decoder still held the next request's bytes, and that
 * request went upstream on a connection whose client could no longer read its answer.
 */
class PipelineBehindCloseIT {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @AutoClose
    private static ProxyTestBed bed;

    @BeforeAll
    static void start() throws Exception {
        bed = ProxyTestBed.start(url -> "idemgate.server.io-threads = 1\n"
                + "idemgate.routes = [ { name = pass, match { path = \"/pass/**\" }, upstream { urls = [\"" + url
                + "\"] }, idempotency { mode = off } } ]\n");
    }

    @BeforeEach
    void clear() {
        bed.upstream().clearRequests();
    }

    @Test
    void requestBehindALocalAnswerWithConnectionCloseIsNotForwarded() throws Exception {
        try (RawHttpClient c = RawHttpClient.connect(bed.gateway().port())) {
            c.send("GET /nowhere HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
                    + "DELETE /pass/orders/1 HTTP/1.1\r\nHost: a\r\n\r\n");
            assertThat(c.readResponse(WAIT).status()).isEqualTo(404);
            assertThat(c.isClosedByPeer(WAIT)).isTrue();
        }
        assertTheUpstreamSawOnly("/pass/after");
    }

    @Test
    void requestBehindAnHttp10LocalAnswerIsNotForwarded() throws Exception {
        try (RawHttpClient c = RawHttpClient.connect(bed.gateway().port())) {
            c.send("GET /nowhere HTTP/1.0\r\n\r\nDELETE /pass/orders/2 HTTP/1.1\r\nHost: a\r\n\r\n");
            assertThat(c.readResponse(WAIT).status()).isEqualTo(404);
            assertThat(c.isClosedByPeer(WAIT)).isTrue();
        }
        assertTheUpstreamSawOnly("/pass/after");
    }

    @Test
    void requestBehindAProxiedAnswerWithConnectionCloseIsNotForwarded() throws Exception {
        try (RawHttpClient c = RawHttpClient.connect(bed.gateway().port())) {
            c.send("GET /pass/first HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
                    + "DELETE /pass/orders/3 HTTP/1.1\r\nHost: a\r\n\r\n");
            assertThat(c.readResponse(WAIT).status()).isEqualTo(200);
            assertThat(c.isClosedByPeer(WAIT)).isTrue();
        }
        assertTheUpstreamSawOnly("/pass/first", "/pass/after");
    }

    /** A marker request on a fresh connection: once it is seen, anything smuggled before it was too. */
    private static void assertTheUpstreamSawOnly(String... uris) throws Exception {
        try (RawHttpClient c = RawHttpClient.connect(bed.gateway().port())) {
            c.send("GET /pass/after HTTP/1.1\r\nHost: a\r\n\r\n");
            assertThat(c.readResponse(WAIT).status()).isEqualTo(200);
        }
        assertThat(bed.upstream().requests()).extracting(ReceivedRequest::uri).containsExactly(uris);
    }
}
