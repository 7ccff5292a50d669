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

    private double buffered() throws Exception {
        return bed.gateway().scrapeMetrics().value("idemgate_buffered_request_bytes");
    }

    @Test
    void heldBodiesFillTheBudgetAndTheNextRequestGets503UntilOneFinishes() throws Exception {
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
        assertThat(bed.gateway().scrapeMetrics().value("idemgate_requests_total", "route", "v1", "outcome", "overloaded"))
                .isEqualTo(1);
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
