package io.idemgate.gateway.exchange;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.idemgate.gateway.testsupport.Behaviour;
import io.idemgate.gateway.testsupport.ProxyTestBed;
import io.idemgate.gateway.testsupport.RawHttpClient;
import java.time.Duration;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Bodies held for fingerprinting share one budget ({@code server.max-buffered-request-bytes}): clients
 * holding unfinished bodies can fill it, after which new idempotent requests get 503 {@code overloaded}
 * with Retry-After instead of the heap running out; finishing or dropping a body gives its share back.
 */
class BufferedBodyBudgetIT {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final int LIMIT = 100_000;

    @AutoClose
    private static ProxyTestBed bed;

    @BeforeAll
    static void start() throws Exception {
        bed = ProxyTestBed.start(url -> "idemgate.server { max-buffered-request-bytes = " + LIMIT + " }\n"
                + "idemgate.routes = [ { name = v1, match { path = \"/**\" }, upstream { urls = [\"" + url + "\"] },"
                + " idempotency { max-request-body = 64k } } ]\n");
        bed.upstream().reset(Behaviour.respond(201, "created"));
    }

    private static String head(String key, int length) {
        return "POST /v1/orders HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer t\r\nIdempotency-Key: " + key
                + "\r\nContent-Length: " + length + "\r\n\r\n";
    }

    private static double overloaded() throws Exception {
        return bed.gateway().scrapeMetrics().value("idemgate_requests_total", "route", "v1", "outcome", "overloaded");
    }

    private double buffered() throws Exception {
        return bed.gateway().scrapeMetrics().value("idemgate_buffered_request_bytes");
    }

    /**
     * Issue #10: many clients each holding an unfinished body near the per-request limit. What is held
     * never exceeds the budget, the clients beyond it are refused (not queued in memory), and an
     * unrelated client is served meanwhile.
     */
    @Test
    void manyHeldBodiesNearTheLimitStayWithinTheBudgetAndOthersAreServed() throws Exception {
        java.util.List<RawHttpClient> held = new java.util.ArrayList<>();
        try {
            int refused = 0;
            for (int i = 0; i < 30; i++) {
                RawHttpClient c = RawHttpClient.connect(bed.gateway().port());
                held.add(c);
                c.send(head("near-" + i, 60_000) + "z".repeat(1000));
            }
            await().atMost(WAIT).until(() -> buffered() > 0);
            for (RawHttpClient c : held) {
                try {
                    if (c.readResponse(Duration.ofSeconds(3)).status() == 503) {
                        refused++;
                    }
                } catch (java.net.SocketTimeoutException stillHeld) {
                    // this one's body is held, waiting for the rest (only one 60 KB reservation fits the budget)
                }
            }
            assertThat(buffered()).isLessThanOrEqualTo(LIMIT);
            assertThat(refused).as("clients beyond the budget are refused").isGreaterThanOrEqualTo(29);
            try (RawHttpClient other = RawHttpClient.connect(bed.gateway().port())) {
                other.send("GET /v1/orders/1 HTTP/1.1\r\nHost: a\r\n\r\n");
                assertThat(other.readResponse(WAIT).status()).isEqualTo(201);
            }
        } finally {
            for (RawHttpClient c : held) {
                c.close();
            }
        }
        await().atMost(WAIT).until(() -> buffered() == 0);
    }

    @Test
    void heldBodiesFillTheBudgetAndTheNextRequestGets503UntilOneFinishes() throws Exception {
        double overloadedBefore = overloaded(); // the class's other tests are refused too
        try (RawHttpClient a = RawHttpClient.connect(bed.gateway().port());
             RawHttpClient b = RawHttpClient.connect(bed.gateway().port())) {
            a.send(head("held-a", 40_000) + "x".repeat(1000));
            b.send(head("held-b", 40_000) + "y".repeat(1000));
            // A declared length is reserved whole when the head arrives.
            await().atMost(WAIT).until(() -> buffered() == 80_000);

            try (RawHttpClient c = RawHttpClient.connect(bed.gateway().port())) {
                c.send(head("refused", 40_000));
                RawHttpClient.RawResponse r = c.readResponse(WAIT);
                assertThat(r.status()).isEqualTo(503);
                assertThat(r.bodyAsString()).contains("overloaded");
                assertThat(r.header("Retry-After")).isEqualTo("1");
                assertThat(c.isClosedByPeer(WAIT)).isTrue();
            }

            a.send("x".repeat(39_000));
            assertThat(a.readResponse(WAIT).status()).isEqualTo(201);
            await().atMost(WAIT).until(() -> buffered() == 40_000);
        }
        // b's connection closed with its body unfinished: its share came back too.
        await().atMost(WAIT).until(() -> buffered() == 0);
        try (RawHttpClient c = RawHttpClient.connect(bed.gateway().port())) {
            c.send(head("after", 10) + "0123456789");
            assertThat(c.readResponse(WAIT).status()).isEqualTo(201);
        }
        assertThat(overloaded() - overloadedBefore).isEqualTo(1);
    }

    @Test
    void chunkedBodiesReserveAsTheyArriveAndAreRefusedMidWayWhenTheBudgetIsSpent() throws Exception {
        try (RawHttpClient a = RawHttpClient.connect(bed.gateway().port());
             RawHttpClient b = RawHttpClient.connect(bed.gateway().port())) {
            String chunked = "POST /v1/orders HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer t\r\nIdempotency-Key: %s\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n";
            String chunk = Integer.toHexString(30_000) + "\r\n" + "z".repeat(30_000) + "\r\n";
            a.send(String.format(chunked, "chunk-a") + chunk + chunk);
            await().atMost(WAIT).until(() -> buffered() == 60_000);
            b.send(String.format(chunked, "chunk-b") + chunk + chunk);
            RawHttpClient.RawResponse r = b.readResponse(WAIT);
            assertThat(r.status()).isEqualTo(503);
            assertThat(b.isClosedByPeer(WAIT)).isTrue();
            assertThat(buffered()).isEqualTo(60_000);
        }
        await().atMost(WAIT).until(() -> buffered() == 0);
    }
}
