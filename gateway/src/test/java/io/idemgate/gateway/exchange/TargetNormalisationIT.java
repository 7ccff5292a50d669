package io.idemgate.gateway.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import io.idemgate.gateway.testsupport.Behaviour;
import io.idemgate.gateway.testsupport.ProxyTestBed;
import io.idemgate.gateway.testsupport.RawHttpClient;
import io.idemgate.gateway.testsupport.ReceivedRequest;
import java.time.Duration;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Routing, fingerprinting and forwarding all see the one normalised path: a raw target that climbs out
 * of a pass-through route into a deduplicated one is deduplicated, and the upstream receives the path
 * the gateway routed by.
 */
class TargetNormalisationIT {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @AutoClose
    private static ProxyTestBed bed;

    @BeforeAll
    static void start() throws Exception {
        bed = ProxyTestBed.start(url -> "idemgate.routes = [\n"
                + "  { name = v1, match { path = \"/v1/**\" }, upstream { urls = [\"" + url + "\"] } }\n"
                + "  { name = pass, match { path = \"/**\" }, upstream { urls = [\"" + url + "\"] }, idempotency { mode = off } }\n"
                + "]\n");
    }

    @BeforeEach
    void reset() {
        bed.upstream().reset(Behaviour.echo());
    }

    private RawHttpClient.RawResponse send(String raw) throws Exception {
        try (RawHttpClient c = RawHttpClient.connect(bed.gateway().port())) {
            c.send(raw);
            return c.readResponse(WAIT);
        }
    }

    @Test
    void dotSegmentsOutOfAPassThroughRouteAreDeduplicated() throws Exception {
        for (String target : new String[] {"/pass/../v1/orders", "/pass/%2e%2e/v1/orders", "/pass/%2E./v1/orders"}) {
            RawHttpClient.RawResponse r = send("POST " + target + " HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer t\r\n"
                    + "Content-Length: 2\r\n\r\n{}");
            assertThat(r.status()).as(target).isEqualTo(400);
            assertThat(r.bodyAsString()).as(target).contains("missing-idempotency-key");
        }
        assertThat(bed.upstream().requests()).isEmpty();
    }

    @Test
    void theUpstreamReceivesTheNormalisedPathAndTheQueryAsSent() throws Exception {
        assertThat(send("GET /pass/./a/../%62%2d%7E?q=%2F..&r=1 HTTP/1.1\r\nHost: a\r\n\r\n").status()).isEqualTo(200);
        assertThat(bed.upstream().requests()).extracting(ReceivedRequest::uri).containsExactly("/pass/b-~?q=%2F..&r=1");
    }

    @Test
    void aRetryWithAnEquivalentRawPathIsReplayed() throws Exception {
        String head = " HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer t\r\nIdempotency-Key: norm-1\r\n"
                + "Content-Type: application/json\r\nContent-Length: 9\r\n\r\n{\"a\":\"b\"}";
        assertThat(send("POST /v1/orders" + head).status()).isEqualTo(200);
        RawHttpClient.RawResponse retry = send("POST /v1/./%6Frders" + head);
        assertThat(retry.status()).isEqualTo(200);
        assertThat(retry.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(bed.upstream().requests()).hasSize(1);
    }
}
