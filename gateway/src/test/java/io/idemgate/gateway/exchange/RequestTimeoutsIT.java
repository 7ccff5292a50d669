package io.idemgate.gateway.exchange;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.idemgate.gateway.testsupport.Behaviour;
import io.idemgate.gateway.testsupport.ProxyTestBed;
import io.idemgate.gateway.testsupport.RawHttpClient;
import io.idemgate.gateway.testsupport.ReceivedRequest;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A client that drips its head or stalls its body loses the connection after the configured timeout,
 * with 408 where nothing else was sent, and an idempotent request whose body never completed has
 * claimed nothing.
 */
class RequestTimeoutsIT {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @AutoClose
    private static ProxyTestBed bed;

    @BeforeAll
    static void start() throws Exception {
        bed = ProxyTestBed.start(url -> "idemgate.server { request-header-timeout = 500ms, request-body-timeout = 700ms,"
                + " idle-timeout = 30s }\n"
                + "idemgate.routes = [\n"
                + "  { name = v1, match { path = \"/v1/**\" }, upstream { urls = [\"" + url + "\"] } }\n"
                + "  { name = pass, match { path = \"/**\" }, upstream { urls = [\"" + url + "\"] }, idempotency { mode = off } }\n"
                + "]\n");
    }

    @BeforeEach
    void reset() {
        bed.upstream().reset(Behaviour.echo());
    }

    private double rejected(String reason) throws Exception {
        return bed.gateway().scrapeMetrics().value("idemgate_rejected_requests_total", "reason", reason);
    }

    /** Sends one more header line every 100 ms until the peer stops taking them (bounded: 100 lines). */
    private static Thread drip(RawHttpClient c, AtomicBoolean stop) {
        Thread t = new Thread(() -> {
            for (int i = 0; i < 100 && !stop.get(); i++) {
                try {
                    c.send("X-Drip-" + i + ": a\r\n");
                    Thread.sleep(100); // the drip's pace is the point of the test, not a synchronisation
                } catch (IOException | InterruptedException e) {
                    return;
                }
            }
        }, "drip");
        t.setDaemon(true);
        t.start();
        return t;
    }

    @Test
    void aHeadDrippedPastTheHeaderTimeoutGets408AndTheConnectionCloses() throws Exception {
        double before = rejected("header_timeout");
        AtomicBoolean stop = new AtomicBoolean();
        try (RawHttpClient c = RawHttpClient.connect(bed.gateway().port())) {
            c.send("GET /pass/slow HTTP/1.1\r\nHost: a\r\n");
            Thread dripper = drip(c, stop);
            RawHttpClient.RawResponse r = c.readResponse(WAIT);
            stop.set(true);
            dripper.join(WAIT.toMillis());
            assertThat(r.status()).isEqualTo(408);
            assertThat(r.bodyAsString()).contains("request-timeout");
            assertThat(c.isClosedByPeer(WAIT)).isTrue();
        }
        assertThat(bed.upstream().requests()).isEmpty();
        assertThat(rejected("header_timeout")).isEqualTo(before + 1);
    }

    @Test
    void aSmallStalledPassThroughBodyGets408AndNeverReachesTheUpstream() throws Exception {
        double before = rejected("body_timeout");
        int connections = bed.upstream().connectionsAccepted();
        try (RawHttpClient c = RawHttpClient.connect(bed.gateway().port())) {
            c.send("POST /pass/upload HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n0123456789");
            RawHttpClient.RawResponse r = c.readResponse(WAIT);
            assertThat(r.status()).isEqualTo(408);
            assertThat(r.header("Connection")).isEqualToIgnoringCase("close");
            assertThat(c.isClosedByPeer(WAIT)).isTrue();
        }
        // The body was held until whole, so the stall cost no upstream connection.
        assertThat(bed.upstream().connectionsAccepted()).isEqualTo(connections);
        assertThat(bed.upstream().requests()).isEmpty();
        assertThat(rejected("body_timeout")).isEqualTo(before + 1);
    }

    @Test
    void aLargeStalledPassThroughBodyGets408AndTheUpstreamConnectionIsClosed() throws Exception {
        bed.upstream().reset(Behaviour.respond(200, "answered only once the whole body is in"));
        try (RawHttpClient c = RawHttpClient.connect(bed.gateway().port())) {
            c.send("POST /pass/upload HTTP/1.1\r\nHost: a\r\nContent-Length: 200000\r\n\r\n" + "b".repeat(100_000));
            RawHttpClient.RawResponse r = c.readResponse(WAIT);
            assertThat(r.status()).isEqualTo(408);
            assertThat(c.isClosedByPeer(WAIT)).isTrue();
        }
        // Beyond the buffering threshold the body streamed, so the upstream saw part of it, then a close.
        ReceivedRequest partial = bed.upstream().awaitRequests(1, WAIT).get(0);
        assertThat(partial.complete()).isFalse();
        assertThat(partial.bodyLength()).isLessThan(200_000);
    }

    @Test
    void aStalledIdempotentBodyGets408AndClaimsNothing() throws Exception {
        String head = "POST /v1/orders HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer t\r\nIdempotency-Key: stall-1\r\n"
                + "Content-Type: application/json\r\nContent-Length: 12\r\n\r\n";
        try (RawHttpClient c = RawHttpClient.connect(bed.gateway().port())) {
            c.send(head + "{\"a\":");
            RawHttpClient.RawResponse r = c.readResponse(WAIT);
            assertThat(r.status()).isEqualTo(408);
            assertThat(c.isClosedByPeer(WAIT)).isTrue();
        }
        // Nothing was claimed, so the whole retry executes at once instead of meeting an in-flight record.
        try (RawHttpClient c = RawHttpClient.connect(bed.gateway().port())) {
            c.send(head + "{\"a\":\"bcde\"}");
            RawHttpClient.RawResponse r = c.readResponse(WAIT);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("Idempotent-Replayed")).isNull();
        }
        assertThat(bed.upstream().requests()).hasSize(1);
    }

    @Test
    void aBodyThatKeepsArrivingIsServedHoweverLongItTakesInTotal() throws Exception {
        try (RawHttpClient c = RawHttpClient.connect(bed.gateway().port())) {
            c.send("POST /pass/drip HTTP/1.1\r\nHost: a\r\nContent-Length: 12\r\n\r\n");
            for (int i = 0; i < 12; i++) {
                c.send("x");
                Thread.sleep(100); // 1.2 s in all, longer than the body timeout; each byte restarts its clock
            }
            RawHttpClient.RawResponse r = c.readResponse(WAIT);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyAsString()).isEqualTo("x".repeat(12));
        }
    }

    @Test
    void anIdleConnectionBetweenRequestsIsNotCutByTheHeaderTimeout() throws Exception {
        try (RawHttpClient c = RawHttpClient.connect(bed.gateway().port())) {
            c.send("GET /pass/a HTTP/1.1\r\nHost: a\r\n\r\n");
            assertThat(c.readResponse(WAIT).status()).isEqualTo(200);
            // Longer than the header timeout with no byte sent: no head has begun, so no clock runs.
            assertThat(c.isClosedByPeer(Duration.ofMillis(1200))).isFalse();
            c.send("GET /pass/b HTTP/1.1\r\nHost: a\r\n\r\n");
            assertThat(c.readResponse(WAIT).status()).isEqualTo(200);
        }
        await().atMost(WAIT).until(() -> bed.upstream().requests().size() == 2);
    }
}
