package io.idemgate.gateway.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import io.idemgate.gateway.testsupport.Behaviour;
import io.idemgate.gateway.testsupport.DeterministicBytes;
import io.idemgate.gateway.testsupport.GatewayFixture;
import io.idemgate.gateway.testsupport.PrometheusText;
import io.idemgate.gateway.testsupport.ProxyTestBed;
import io.idemgate.gateway.testsupport.RawHttpClient;
import io.idemgate.gateway.testsupport.ReceivedRequest;
import io.idemgate.gateway.testsupport.TestUpstream;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Pass-through corners not covered by {@link PassThroughIT}: request targets and framings a client
 * may legally send, an upstream that ends its response by closing, several upstream URLs, and what the
 * admin port reports about all of it.
 */
class EdgeCasesIT {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @AutoClose
    private static ProxyTestBed bed;

    @BeforeAll
    static void start() throws Exception {
        bed = ProxyTestBed.start(url -> "idemgate.routes = [ { name = edge, match { path = \"/api/**\" }, "
                + "upstream { urls = [\"" + url + "\"] }, idempotency { mode = off } } ]\n");
    }

    @BeforeEach
    void reset() {
        bed.upstream().reset(Behaviour.echo());
    }

    @Test
    void absoluteFormTargetReachesTheUpstreamInOriginForm() throws Exception {
        try (RawHttpClient raw = RawHttpClient.connect(bed.gateway().port())) {
            raw.send("GET http://example.com/api/path HTTP/1.1\r\nHost: example.com\r\n\r\n");
            assertThat(raw.readResponse(WAIT).status()).isEqualTo(200);
            raw.send("GET http://example.com/api/search?q=a%20b HTTP/1.1\r\nHost: other.example\r\n\r\n");
            assertThat(raw.readResponse(WAIT).status()).isEqualTo(200);
        }
        assertThat(bed.upstream().requests()).extracting(ReceivedRequest::uri)
                .containsExactly("/api/path", "/api/search?q=a%20b");
        // RFC 9112 §3.2.2: with an absolute-form target, Host is the target's authority, whatever was sent.
        assertThat(bed.upstream().requests()).extracting(r -> r.header("Host"))
                .containsExactly("example.com", "example.com");
    }

    @Test
    void largeChunkedUploadOfUnknownLengthArrivesIntact() throws Exception {
        long size = 5L * 1024 * 1024;
        bed.upstream().handle(Behaviour.respond(201, "stored"));
        HttpResponse<String> r = bed.gateway().client().send(HttpRequest.newBuilder(bed.gateway().uri("/api/upload"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> DeterministicBytes.stream(size)))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(201);
        ReceivedRequest received = bed.upstream().requests().get(0);
        assertThat(received.header("Transfer-Encoding")).isEqualTo("chunked");
        assertThat(received.complete()).isTrue();
        assertThat(received.bodyLength()).isEqualTo(size);
        assertThat(received.bodySha256()).isEqualTo(DeterministicBytes.sha256Hex(size));
    }

    @Test
    void malformedChunkMidUploadIsNotForwardedAsTheEndOfTheRequest() throws Exception {
        try (RawHttpClient raw = RawHttpClient.connect(bed.gateway().port())) {
            raw.send("POST /api/chunks HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5\r\nhello\r\nnot-a-size\r\n");
            RawHttpClient.RawResponse r = raw.readResponse(WAIT);
            // The body broke off: the upstream must not be handed a request that looks complete.
            assertThat(bed.upstream().requests()).as("requests the upstream received as complete")
                    .noneMatch(ReceivedRequest::complete);
            assertThat(r.status()).isEqualTo(400);
            assertThat(raw.isClosedByPeer(WAIT)).isTrue();
        }
    }

    @Test
    void upstreamResponseEndedByCloseIsReChunkedForAnHttp11Client() throws Exception {
        bed.upstream().handle(http10ResponseEndedByClose("read until the end"));
        try (RawHttpClient raw = RawHttpClient.connect(bed.gateway().port())) {
            raw.send("GET /api/old HTTP/1.1\r\nHost: a\r\n\r\n");
            RawHttpClient.RawResponse r = raw.readResponse(WAIT);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("Transfer-Encoding")).isEqualTo("chunked");
            assertThat(r.bodyAsString()).isEqualTo("read until the end");

            // The framing was the gateway's own, so the client connection is still in step.
            bed.upstream().handle(Behaviour.echo());
            raw.send("POST /api/again HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nagain");
            assertThat(raw.readResponse(WAIT).bodyAsString()).isEqualTo("again");
        }
    }

    @Test
    void upstreamResponseEndedByCloseIsEndedByCloseForAnHttp10Client() throws Exception {
        bed.upstream().handle(http10ResponseEndedByClose("read until the end"));
        try (RawHttpClient raw = RawHttpClient.connect(bed.gateway().port())) {
            raw.send("GET /api/old HTTP/1.0\r\n\r\n");
            RawHttpClient.RawResponse r = raw.readResponse(WAIT);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("Transfer-Encoding")).isNull();
            assertThat(r.header("Content-Length")).isNull();
            assertThat(r.bodyAsString()).isEqualTo("read until the end");
        }
    }

    @Test
    void requestsAreSpreadRoundRobinOverTheUpstreamUrls() throws Exception {
        try (TestUpstream other = TestUpstream.start();
             GatewayFixture two = GatewayFixture.start("idemgate.routes = [ { name = pair, match { path = \"/**\" }, "
                     + "upstream { urls = [\"" + bed.upstream().url() + "\", \"" + other.url() + "\"] }, "
                     + "idempotency { mode = off } } ]\n");
             RawHttpClient raw = RawHttpClient.connect(two.port())) {
            for (int i = 0; i < 10; i++) {
                raw.send("GET /rr/" + i + " HTTP/1.1\r\nHost: a\r\n\r\n");
                assertThat(raw.readResponse(WAIT).status()).isEqualTo(200);
            }
            assertThat(bed.upstream().requestCount()).isEqualTo(5);
            assertThat(other.requestCount()).isEqualTo(5);
        }
    }

    @Test
    void adminPortListsTheRouteAndCountsWhatHappened() throws Exception {
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> r = bed.gateway().get(bed.gateway().uri("/api/counted"));
            assertThat(r.statusCode()).isEqualTo(200);
        }
        HttpResponse<String> noRoute = bed.gateway().get(bed.gateway().uri("/elsewhere"));
        assertThat(noRoute.statusCode()).isEqualTo(404);

        HttpResponse<String> routes = bed.gateway().get(bed.gateway().adminUri("/admin/routes"));
        assertThat(routes.statusCode()).isEqualTo(200);
        assertThat(routes.body()).contains("\"name\" : \"edge\"").contains("/api/**").contains(bed.upstream().url());

        PrometheusText metrics = bed.gateway().scrapeMetrics();
        assertThat(metrics.value("idemgate_requests_total", "route", "edge", "outcome", "passthrough"))
                .isGreaterThanOrEqualTo(3);
        assertThat(metrics.value("idemgate_upstream_request_seconds_count", "route", "edge", "status_class", "2xx"))
                .isGreaterThanOrEqualTo(3);
        assertThat(metrics.value("idemgate_rejected_requests_total", "reason", "no_route"))
                .isGreaterThanOrEqualTo(1);
    }

    /** An HTTP/1.0-style upstream: no Content-Length, no chunking; the body ends when the connection closes. */
    private static Behaviour http10ResponseEndedByClose(String body) {
        return exchange -> () -> {
            DefaultHttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_0, HttpResponseStatus.OK);
            head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
            exchange.write(head);
            exchange.write(new DefaultLastHttpContent(Unpooled.copiedBuffer(body, StandardCharsets.UTF_8)))
                    .addListener(ChannelFutureListener.CLOSE);
        };
    }
}
