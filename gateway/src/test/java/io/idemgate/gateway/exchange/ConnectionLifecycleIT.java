package io.idemgate.gateway.exchange;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.idemgate.gateway.testsupport.Behaviour;
import io.idemgate.gateway.testsupport.DeterministicBytes;
import io.idemgate.gateway.testsupport.GatewayFixture;
import io.idemgate.gateway.testsupport.ProxyTestBed;
import io.idemgate.gateway.testsupport.RawHttpClient;
import io.idemgate.gateway.testsupport.ReceivedRequest;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * Connections that end early or wait: clients leaving mid-upload or mid-download, the upstream
 * connection limit and its queue, and a graceful stop with a request in flight. Each test has a gateway
 * of its own with a single event loop, so every client shares one upstream pool and a connection left
 * in a broken state would be handed to the next request.
 */
class ConnectionLifecycleIT {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String ONE_LOOP = "idemgate.server.io-threads = 1\n";

    @AutoClose
    private ProxyTestBed bed;

    /** Starts this test's upstream and a gateway with one route to it. */
    private void startGateway(String upstreamExtras) throws InterruptedException {
        bed = ProxyTestBed.start(url -> ONE_LOOP + GatewayFixture.oneRoute("life", url, upstreamExtras));
    }

    @Test
    void clientLeavingMidUploadAbandonsTheUpstreamRequestAndTheNextRequestWorks() throws Exception {
        startGateway("");
        // Past the bytes held before connecting (ProxyExchange.BUFFER_BEFORE_CONNECT), the body streams.
        leaveMidUpload("POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 200000\r\n\r\n",
                DeterministicBytes.bytes(100_000));

        ReceivedRequest abandoned = bed.upstream().awaitRequests(1, WAIT).get(0);
        assertThat(abandoned.complete()).as("the upstream saw the request cut short, not completed").isFalse();
        assertThat(abandoned.bodyLength()).isLessThan(200_000);
        awaitNothingInFlight();
        assertTheNextRequestIsProxiedWhole();
    }

    @Test
    void clientLeavingMidChunkedUploadIsNotTurnedIntoACompleteRequest() throws Exception {
        startGateway("");
        leaveMidUpload("POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n",
                ("11170\r\n" + "h".repeat(0x11170) + "\r\n6\r\n wor").getBytes(StandardCharsets.ISO_8859_1));

        ReceivedRequest abandoned = bed.upstream().awaitRequests(1, WAIT).get(0);
        assertThat(abandoned.complete()).as("the upstream saw the request cut short, not completed").isFalse();
        awaitNothingInFlight();
        assertTheNextRequestIsProxiedWhole();
    }

    @Test
    void clientLeavingMidSmallUploadCostsTheUpstreamNothing() throws Exception {
        startGateway("");
        try (RawHttpClient raw = RawHttpClient.connect(bed.gateway().port())) {
            raw.send("POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 1000\r\n\r\n" + "x".repeat(500));
        }
        awaitNothingInFlight();
        assertThat(bed.upstream().connectionsAccepted()).isZero();
        assertTheNextRequestIsProxiedWhole();
    }

    /** Sends a head and part of its body, waits until the upstream has the head, then closes the socket. */
    private void leaveMidUpload(String head, byte[] partOfBody) throws Exception {
        CountDownLatch headArrived = new CountDownLatch(1);
        bed.upstream().handle(exchange -> {
            headArrived.countDown();
            return Behaviour.echo().begin(exchange);
        });
        try (RawHttpClient raw = RawHttpClient.connect(bed.gateway().port())) {
            raw.send(head);
            raw.send(partOfBody);
            assertThat(headArrived.await(5, TimeUnit.SECONDS)).as("request head reached the upstream").isTrue();
        }
    }

    @Test
    void clientLeavingMidDownloadStopsTheStreamAndTheNextRequestWorks() throws Exception {
        startGateway("");
        long size = 20L * 1024 * 1024;
        bed.upstream().handle(Behaviour.download(size));
        try (RawHttpClient raw = RawHttpClient.connect(bed.gateway().port())) {
            raw.send("GET /download HTTP/1.1\r\nHost: a\r\n\r\n");
            RawHttpClient.RawResponse head = raw.readHeadResponse(WAIT);
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("Content-Length")).isEqualTo(Long.toString(size));
        }

        awaitNothingInFlight();
        bed.upstream().reset(Behaviour.echo());
        assertTheNextRequestIsProxiedWhole();
    }

    @Test
    void secondRequestGets503UpstreamBusyWhileTheOnlyConnectionIsHeld() throws Exception {
        startGateway(", max-connections = 1, max-pending-acquires = 0");
        bed.upstream().handle(Behaviour.never());
        try (RawHttpClient holder = RawHttpClient.connect(bed.gateway().port())) {
            holder.send("GET /hold HTTP/1.1\r\nHost: a\r\n\r\n");
            bed.upstream().awaitRequests(1, WAIT);

            try (RawHttpClient second = RawHttpClient.connect(bed.gateway().port())) {
                second.send("GET /second HTTP/1.1\r\nHost: a\r\n\r\n");
                RawHttpClient.RawResponse r = second.readResponse(WAIT);
                assertThat(r.status()).isEqualTo(503);
                assertThat(r.header("Content-Type")).isEqualTo("application/problem+json");
                assertThat(r.bodyAsString()).contains("\"type\":\"urn:idemgate:problem:upstream-busy\"");
            }
        }
        assertThat(bed.upstream().requests()).extracting(ReceivedRequest::uri).containsExactly("/hold");

        // The holder left, its connection was closed, and the limit has room again.
        bed.upstream().reset(Behaviour.echo());
        awaitNothingInFlight();
        assertTheNextRequestIsProxiedWhole();
    }

    @Test
    void secondRequestWaitsInTheQueueAndUsesTheConnectionWhenItIsFree() throws Exception {
        startGateway(", max-connections = 1, max-pending-acquires = 1");
        bed.upstream().handle(Behaviour.delay(Duration.ofMillis(300), Behaviour.echo()));
        int connectionsBefore = bed.upstream().connectionsAccepted();
        try (RawHttpClient first = RawHttpClient.connect(bed.gateway().port());
             RawHttpClient second = RawHttpClient.connect(bed.gateway().port())) {
            first.send("POST /first HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nfirst");
            bed.upstream().awaitRequests(1, WAIT);
            second.send("POST /second HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\n\r\nsecond");

            RawHttpClient.RawResponse r1 = first.readResponse(WAIT);
            RawHttpClient.RawResponse r2 = second.readResponse(WAIT);
            assertThat(r1.status()).isEqualTo(200);
            assertThat(r1.bodyAsString()).isEqualTo("first");
            assertThat(r2.status()).isEqualTo(200);
            assertThat(r2.bodyAsString()).isEqualTo("second");
        }
        assertThat(bed.upstream().requests()).extracting(ReceivedRequest::uri).containsExactly("/first", "/second");
        assertThat(bed.upstream().connectionsAccepted() - connectionsBefore)
                .as("both requests went over the one allowed connection").isEqualTo(1);
    }

    @Test
    void gracefulStopLetsTheInFlightRequestFinishAndRefusesNewConnections() throws Exception {
        startGateway("");
        bed.upstream().handle(Behaviour.delay(Duration.ofMillis(1000), Behaviour.echo()));
        int port = bed.gateway().port();
        CompletableFuture<HttpResponse<String>> inFlight = bed.gateway().client().sendAsync(
                HttpRequest.newBuilder(bed.gateway().uri("/slow"))
                        .POST(HttpRequest.BodyPublishers.ofString("finish me")).build(),
                HttpResponse.BodyHandlers.ofString());
        bed.upstream().awaitRequests(1, WAIT);

        CompletableFuture<Boolean> stopped = CompletableFuture.supplyAsync(() -> stopGateway(Duration.ofSeconds(10)));
        await().atMost(WAIT).until(() -> refusesConnections(port));

        HttpResponse<String> r = inFlight.get(10, TimeUnit.SECONDS);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("finish me");
        assertThat(r.headers().firstValue("Connection")).hasValue("close");
        assertThat(stopped.get(15, TimeUnit.SECONDS)).as("stop reports a clean drain").isTrue();
        assertThatThrownBy(() -> RawHttpClient.connect(port).close()).isInstanceOf(ConnectException.class);
    }

    private boolean stopGateway(Duration grace) {
        try {
            return bed.gateway().gateway().stop(grace);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static boolean refusesConnections(int port) {
        try (RawHttpClient ignored = RawHttpClient.connect(port)) {
            return false;
        } catch (IOException e) {
            return e instanceof ConnectException;
        }
    }

    /** The in-flight gauge of the route returns to zero: the gateway closed the books on every exchange. */
    private void awaitNothingInFlight() {
        await().atMost(WAIT).untilAsserted(() ->
                assertThat(bed.gateway().scrapeMetrics().value("idemgate_inflight_requests", "route", "life")).isZero());
    }

    private void assertTheNextRequestIsProxiedWhole() throws Exception {
        byte[] body = DeterministicBytes.bytes(50_000);
        try (RawHttpClient raw = RawHttpClient.connect(bed.gateway().port())) {
            raw.send("POST /next HTTP/1.1\r\nHost: a\r\nContent-Length: " + body.length + "\r\n\r\n");
            raw.send(body);
            RawHttpClient.RawResponse r = raw.readResponse(WAIT);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).isEqualTo(body);
        }
        ReceivedRequest next = bed.upstream().requests().get(bed.upstream().requests().size() - 1);
        assertThat(next.uri()).isEqualTo("/next");
        assertThat(next.complete()).isTrue();
        assertThat(next.bodyLength()).isEqualTo(body.length);
    }
}
