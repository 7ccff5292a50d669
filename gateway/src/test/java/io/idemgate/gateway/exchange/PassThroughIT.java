package io.idemgate.gateway.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import io.idemgate.gateway.testsupport.Behaviour;
import io.idemgate.gateway.testsupport.GatewayFixture;
import io.idemgate.gateway.testsupport.ProxyTestBed;
import io.idemgate.gateway.testsupport.RawHttpClient;
import io.idemgate.gateway.testsupport.ReceivedRequest;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Pass-through proxying against a real upstream over real sockets. */
class PassThroughIT {

    @AutoClose
    private static ProxyTestBed bed;

    @BeforeAll
    static void start() throws Exception {
        bed = ProxyTestBed.start(url -> GatewayFixture.oneRoute("echo", url, ""));
    }

    @BeforeEach
    void reset() {
        bed.upstream().reset(Behaviour.echo());
    }

    @Test
    void postBodyPassesThroughByteForByteAndComesBack() throws Exception {
        byte[] body = new byte[200_000];
        new Random(7).nextBytes(body);
        HttpResponse<byte[]> r = bed.gateway().client().send(HttpRequest.newBuilder(bed.gateway().uri("/v1/orders?x=1"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .header("Content-Type", "application/octet-stream")
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo(body);
        assertThat(r.headers().firstValue("Via")).hasValue("1.1 idemgate");
        var received = bed.upstream().requests().get(0);
        assertThat(received.method()).isEqualTo("POST");
        assertThat(received.uri()).isEqualTo("/v1/orders?x=1");
        assertThat(received.bodyLength()).isEqualTo(body.length);
        assertThat(received.header("X-Forwarded-For")).isEqualTo("127.0.0.1");
        assertThat(received.header("X-Forwarded-Proto")).isEqualTo("http");
        assertThat(received.header("X-Forwarded-Host")).isEqualTo("127.0.0.1:" + bed.gateway().port());
        assertThat(received.header("Via")).isEqualTo("1.1 idemgate");
    }

    @Test
    void everyMethodPassesThrough() throws Exception {
        for (String method : new String[] {"GET", "PUT", "PATCH", "DELETE", "OPTIONS"}) {
            HttpRequest.BodyPublisher pub = method.equals("GET") || method.equals("DELETE") || method.equals("OPTIONS")
                    ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString("m=" + method);
            HttpResponse<String> r = bed.gateway().client().send(HttpRequest.newBuilder(bed.gateway().uri("/m"))
                    .method(method, pub).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(method).isEqualTo(200);
        }
        assertThat(bed.upstream().requests()).extracting(ReceivedRequest::method)
                .containsExactly("GET", "PUT", "PATCH", "DELETE", "OPTIONS");
    }

    @Test
    void keepAliveReusesOneUpstreamConnection() throws Exception {
        // A gateway of its own, so no pooled connection from another test is counted.
        try (GatewayFixture fresh = GatewayFixture.start(GatewayFixture.oneRoute("echo", bed.upstream().url(), ""))) {
            int before = bed.upstream().connectionsAccepted();
            try (RawHttpClient raw = RawHttpClient.connect(fresh.port())) {
                for (int i = 0; i < 20; i++) {
                    raw.send("POST /k HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi");
                    RawHttpClient.RawResponse r = raw.readResponse(Duration.ofSeconds(5));
                    assertThat(r.status()).isEqualTo(200);
                    assertThat(r.bodyAsString()).isEqualTo("hi");
                }
            }
            // One client connection, one upstream connection: each exchange reused both.
            assertThat(bed.upstream().connectionsAccepted() - before).isEqualTo(1);
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        try (RawHttpClient raw = RawHttpClient.connect(bed.gateway().port())) {
            raw.send("POST /1 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\none"
                    + "GET /2 HTTP/1.1\r\nHost: a\r\n\r\n"
                    + "POST /3 HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nthree");
            assertThat(raw.readResponse(Duration.ofSeconds(5)).bodyAsString()).isEqualTo("one");
            assertThat(raw.readResponse(Duration.ofSeconds(5)).status()).isEqualTo(200);
            assertThat(raw.readResponse(Duration.ofSeconds(5)).bodyAsString()).isEqualTo("three");
        }
    }

    @Test
    void chunkedRequestIsForwardedChunkedAndEchoed() throws Exception {
        try (RawHttpClient raw = RawHttpClient.connect(bed.gateway().port())) {
            raw.send("POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
            RawHttpClient.RawResponse r = raw.readResponse(Duration.ofSeconds(5));
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyAsString()).isEqualTo("hello world");
        }
        assertThat(bed.upstream().requests().get(0).header("Transfer-Encoding")).isEqualTo("chunked");
    }

    @Test
    void hopByHopHeadersAreStrippedBothWays() throws Exception {
        bed.upstream().handle(Behaviour.respond(200, Map.of("Connection", "X-Upstream-Hop", "X-Upstream-Hop", "1",
                "Keep-Alive", "timeout=5", "X-End-To-End", "kept"), "ok"));
        try (RawHttpClient raw = RawHttpClient.connect(bed.gateway().port())) {
            raw.send("GET /h HTTP/1.1\r\nHost: a\r\nConnection: X-Client-Hop\r\nX-Client-Hop: secret\r\n"
                    + "Keep-Alive: timeout=9\r\nProxy-Authorization: Basic eDp5\r\nTE: trailers\r\nX-Kept: yes\r\n\r\n");
            RawHttpClient.RawResponse r = raw.readResponse(Duration.ofSeconds(5));
            assertThat(r.header("X-Upstream-Hop")).isNull();
            assertThat(r.header("Keep-Alive")).isNull();
            assertThat(r.header("X-End-To-End")).isEqualTo("kept");
        }
        var received = bed.upstream().requests().get(0);
        assertThat(received.header("X-Client-Hop")).isNull();
        assertThat(received.header("Keep-Alive")).isNull();
        assertThat(received.header("Proxy-Authorization")).isNull();
        assertThat(received.header("TE")).isNull();
        assertThat(received.header("X-Kept")).isEqualTo("yes");
    }

    @Test
    void expectContinueIsAnsweredBeforeTheBodyIsSent() throws Exception {
        try (RawHttpClient raw = RawHttpClient.connect(bed.gateway().port())) {
            raw.send("POST /e HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
            RawHttpClient.RawResponse interim = raw.readResponse(Duration.ofSeconds(5));
            assertThat(interim.status()).isEqualTo(100);
            raw.send("body");
            RawHttpClient.RawResponse r = raw.readResponse(Duration.ofSeconds(5));
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyAsString()).isEqualTo("body");
        }
        assertThat(bed.upstream().requests().get(0).header("Expect")).isNull();
    }

    @Test
    void unknownExpectationGets417() throws Exception {
        try (RawHttpClient raw = RawHttpClient.connect(bed.gateway().port())) {
            raw.send("POST /e HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nExpect: teapot\r\n\r\n");
            RawHttpClient.RawResponse r = raw.readResponse(Duration.ofSeconds(5));
            assertThat(r.status()).isEqualTo(417);
            assertThat(r.header("Content-Type")).isEqualTo("application/problem+json");
        }
        assertThat(bed.upstream().requests()).isEmpty();
    }

    @Test
    void headRequestGetsHeadersWithoutBody() throws Exception {
        bed.upstream().handle(Behaviour.respond(200, Map.of("Content-Type", "text/plain"), "twelve bytes"));
        try (RawHttpClient raw = RawHttpClient.connect(bed.gateway().port())) {
            raw.send("HEAD /h HTTP/1.1\r\nHost: a\r\n\r\n");
            RawHttpClient.RawResponse r = raw.readHeadResponse(Duration.ofSeconds(5));
            assertThat(r.status()).isEqualTo(200);
            // The connection is still in step: a second request on it works.
            raw.send("GET /h HTTP/1.1\r\nHost: a\r\n\r\n");
            assertThat(raw.readResponse(Duration.ofSeconds(5)).bodyAsString()).isEqualTo("twelve bytes");
        }
    }

    @Test
    void http10ClientWithoutKeepAliveGetsTheBodyAndAClose() throws Exception {
        bed.upstream().handle(Behaviour.respond(201, Map.of(), "created"));
        try (RawHttpClient raw = RawHttpClient.connect(bed.gateway().port())) {
            raw.send("POST /old HTTP/1.0\r\nContent-Length: 1\r\n\r\nx");
            RawHttpClient.RawResponse r = raw.readResponse(Duration.ofSeconds(5));
            assertThat(r.status()).isEqualTo(201);
            assertThat(r.bodyAsString()).isEqualTo("created");
            assertThat(raw.isClosedByPeer(Duration.ofSeconds(5))).isTrue();
        }
        assertThat(bed.upstream().requests().get(0).header("Host")).isEqualTo("127.0.0.1:" + bed.upstream().port());
    }

    @Test
    void requestWithNoMatchingRouteGets404Problem() throws Exception {
        try (GatewayFixture narrow = GatewayFixture.start("idemgate.routes = [ { name = only, match { path = \"/v1/**\", methods = [GET] }, "
                + "upstream { urls = [\"" + bed.upstream().url() + "\"] }, idempotency { mode = off } } ]")) {
            HttpResponse<String> r = narrow.get(narrow.uri("/v2/x"));
            assertThat(r.statusCode()).isEqualTo(404);
            assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(r.body()).contains("\"type\":\"urn:idemgate:problem:no-route\"").contains("\"status\":404");
            HttpResponse<String> wrongMethod = narrow.client().send(HttpRequest.newBuilder(narrow.uri("/v1/x"))
                    .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(wrongMethod.statusCode()).isEqualTo(404);
        }
        assertThat(bed.upstream().requests()).isEmpty();
    }

    @Test
    void noRouteKeepsTheConnectionForTheNextRequest() throws Exception {
        try (GatewayFixture narrow = GatewayFixture.start("idemgate.routes = [ { name = only, match { path = \"/v1/**\" }, "
                + "upstream { urls = [\"" + bed.upstream().url() + "\"] }, idempotency { mode = off } } ]");
             RawHttpClient raw = RawHttpClient.connect(narrow.port())) {
            raw.send("POST /nope HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc");
            assertThat(raw.readResponse(Duration.ofSeconds(5)).status()).isEqualTo(404);
            raw.send("POST /v1/yes HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc");
            RawHttpClient.RawResponse r = raw.readResponse(Duration.ofSeconds(5));
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyAsString()).isEqualTo("abc");
        }
    }

    @Test
    void largeResponseHeadersAndStatusPassThrough() throws Exception {
        bed.upstream().handle(Behaviour.respond(418, Map.of("X-Big", "v".repeat(6000)),
                new String(new byte[0], StandardCharsets.UTF_8)));
        HttpResponse<String> r = bed.gateway().get(bed.gateway().uri("/t"));
        assertThat(r.statusCode()).isEqualTo(418);
        assertThat(r.headers().firstValue("X-Big")).hasValue("v".repeat(6000));
    }
}
