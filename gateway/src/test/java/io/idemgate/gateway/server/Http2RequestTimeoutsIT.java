package io.idemgate.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.idemgate.gateway.testsupport.Behaviour;
import io.idemgate.gateway.testsupport.CapturedStdout;
import io.idemgate.gateway.testsupport.CommandLine;
import io.idemgate.gateway.testsupport.GatewayFixture;
import io.idemgate.gateway.testsupport.RawHttp2Client;
import io.idemgate.gateway.testsupport.RawHttp2Client.Frame;
import io.idemgate.gateway.testsupport.RawHttp2Client.StreamState;
import io.idemgate.gateway.testsupport.ReceivedRequest;
import io.idemgate.gateway.testsupport.TestCertificates;
import io.idemgate.gateway.testsupport.TestUpstream;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * SPEC §1's request clocks on HTTP/2, where one connection carries many requests: a stream whose body stalls
 * (nothing, or DATA dripped slower than {@code request-body-timeout}) gets its own 408 problem and a reset
 * and gives back its stream slot and buffered bytes, on a pass-through and on an idempotent route (which
 * claims nothing); a header block dripped in CONTINUATION frames ends the connection after
 * {@code request-header-timeout}; a connection with no open stream closes after {@code idle-timeout} even
 * while the client keeps pinging. Each is counted in {@code idemgate_rejected_requests_total} and has an
 * access line saying why. Hand-made frames on h2c; the JDK's HttpClient over TLS is the unrelated client
 * served meanwhile, and curl asks for {@code Upgrade: h2c}, which is served as HTTP/1.1.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class Http2RequestTimeoutsIT {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final int MAX_STREAMS = 4;
    private static final int ENHANCE_YOUR_CALM = 0xb, NO_ERROR = 0x0;
    private static final String AUTH = "authorization";
    private static final Predicate<StreamState> TIMED_OUT = s -> s.ended() && s.reset();

    private CapturedStdout stdout;
    private TestUpstream upstream;
    private GatewayFixture h2c;
    private GatewayFixture https;
    private HttpClient jdk;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        stdout = CapturedStdout.start(); // before the gateways: their access logs write to it
        upstream = TestUpstream.start().handle(Behaviour.echo());
        String settings = "idemgate.server { request-header-timeout = 500ms, request-body-timeout = 700ms,"
                + " idle-timeout = 2s, http2.max-concurrent-streams = " + MAX_STREAMS + " }\n";
        String routes = "idemgate.routes = [\n"
                + "  { name = v1, match { path = \"/v1/**\" }, upstream { urls = [\"" + upstream.url() + "\"] } }\n"
                + "  { name = pass, match { path = \"/**\" }, upstream { urls = [\"" + upstream.url() + "\"] },"
                + " idempotency { mode = off } }\n"
                + "]\n";
        h2c = GatewayFixture.start(settings + routes + "idemgate.server.h2c = true\n");
        TestCertificates ca = TestCertificates.newCa(dir, "h2t");
        TestCertificates.Issued cert = ca.issue("gateway");
        https = GatewayFixture.start(settings + routes
                + "idemgate.server.tls { cert = \"" + cert.cert() + "\", key = \"" + cert.key() + "\" }\n");
        jdk = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(ca.clientContext())
                .connectTimeout(WAIT).build();
    }

    @AfterAll
    void stop() throws Exception {
        try {
            for (GatewayFixture g : new GatewayFixture[] {h2c, https}) {
                if (g != null) {
                    g.close();
                }
            }
            if (upstream != null) {
                upstream.close();
            }
        } finally {
            if (stdout != null) {
                stdout.close();
            }
        }
    }

    private double rejected(GatewayFixture g, String reason) throws Exception {
        return g.scrapeMetrics().value("idemgate_rejected_requests_total", "reason", reason);
    }

    private List<String> accessLines(String outcome) {
        return stdout.lines().stream()
                .filter(l -> l.contains("idemgate.access") && l.contains("outcome=\"" + outcome + "\"")
                        && l.contains("protocol=\"h2\""))
                .toList();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** A POST head with a Content-Length the client will not live up to: no END_STREAM. */
    private static void postHead(RawHttp2Client c, int stream, String path, int length, String... more) throws IOException {
        String[] fields = new String[more.length + 2];
        fields[0] = "content-length";
        fields[1] = Integer.toString(length);
        System.arraycopy(more, 0, fields, 2, more.length);
        c.frame(RawHttp2Client.HEADERS, RawHttp2Client.END_HEADERS, stream, RawHttp2Client.requestBlock("POST", path, fields));
    }

    @Test
    void aStreamWhoseBodyStallsGets408AndAResetWhileTheConnectionGoesOn() throws Exception {
        double before = rejected(h2c, "body_timeout");
        int upstreamConnections = upstream.connectionsAccepted();
        try (RawHttp2Client c = RawHttp2Client.connect(h2c.port())) {
            postHead(c, 1, "/pass/upload", 100);
            c.frame(RawHttp2Client.DATA, 0, 1, ascii("0123456789")).flush();

            assertThat(c.awaitStreams(TIMED_OUT, WAIT, null, 1)).isTrue();
            StreamState s = c.stream(1);
            assertThat(s.status()).isEqualTo(408);
            assertThat(s.headers().get("content-type").toString()).isEqualTo("application/problem+json");
            assertThat(s.body()).contains("request-timeout");
            // The rest of the body is not wanted, and the response stands (RFC 9113 §8.1).
            assertThat(s.resetCode()).isEqualTo(NO_ERROR);

            // Only the stream ended: the connection serves the next one.
            c.frame(RawHttp2Client.HEADERS, RawHttp2Client.END_HEADERS | RawHttp2Client.END_STREAM, 3,
                    RawHttp2Client.getBlock("/pass/after")).flush();
            assertThat(c.awaitStreams(StreamState::ended, WAIT, null, 3)).isTrue();
            assertThat(c.stream(3).status()).isEqualTo(200);
        }
        // A small pass-through body is held until whole: the stall cost no upstream connection.
        assertThat(upstream.requests()).noneMatch(r -> r.uri().equals("/pass/upload"));
        assertThat(upstream.connectionsAccepted()).isLessThanOrEqualTo(upstreamConnections + 1);
        assertThat(rejected(h2c, "body_timeout")).isEqualTo(before + 1);
        await().atMost(WAIT).until(() -> accessLines("body_timeout").stream().anyMatch(
                l -> l.contains("path=\"/pass/upload\"") && l.contains("status=\"408\"")));
    }

    @Test
    void headersWithoutEndStreamAndNothingElseGet408() throws Exception {
        try (RawHttp2Client c = RawHttp2Client.connect(h2c.port())) {
            c.frame(RawHttp2Client.HEADERS, RawHttp2Client.END_HEADERS, 1, RawHttp2Client.getBlock("/pass/nothing")).flush();

            assertThat(c.awaitStreams(TIMED_OUT, WAIT, null, 1)).isTrue();
            assertThat(c.stream(1).status()).isEqualTo(408);
        }
    }

    @Test
    void dataDrippedSlowerThanTheBodyTimeoutGets408() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        try (RawHttp2Client c = RawHttp2Client.connect(h2c.port())) {
            postHead(c, 1, "/pass/drip", 10);
            c.flush();
            // One byte every 2 s against a 700 ms body timeout: the pace is the point, not a synchronisation.
            Thread dripper = new Thread(() -> {
                for (int i = 0; i < 9 && !stop.get(); i++) {
                    try {
                        synchronized (c) {
                            c.frame(RawHttp2Client.DATA, 0, 1, ascii("x")).flush();
                        }
                        Thread.sleep(2000);
                    } catch (IOException | InterruptedException e) {
                        return;
                    }
                }
            }, "h2-drip");
            dripper.setDaemon(true);
            dripper.start();
            try {
                assertThat(c.awaitStreams(TIMED_OUT, WAIT, null, 1)).isTrue();
                assertThat(c.stream(1).status()).isEqualTo(408);
            } finally {
                stop.set(true);
                dripper.join(WAIT.toMillis());
            }
        }
        assertThat(upstream.requests()).noneMatch(r -> r.uri().equals("/pass/drip"));
    }

    @Test
    void dataThatKeepsArrivingIsServedHoweverLongItTakesInTotal() throws Exception {
        try (RawHttp2Client c = RawHttp2Client.connect(h2c.port())) {
            postHead(c, 1, "/pass/steady", 12);
            c.flush();
            for (int i = 0; i < 12; i++) {
                c.frame(RawHttp2Client.DATA, i == 11 ? RawHttp2Client.END_STREAM : 0, 1, ascii("y")).flush();
                Thread.sleep(100); // 1.2 s in all, longer than the body timeout; each frame restarts its clock
            }
            assertThat(c.awaitStreams(StreamState::ended, WAIT, null, 1)).isTrue();
            assertThat(c.stream(1).status()).isEqualTo(200);
            assertThat(c.stream(1).body()).isEqualTo("y".repeat(12));
        }
    }

    @Test
    void stalledStreamsUpToTheLimitOnManyConnectionsAllEndAndGiveBackTheirSlotsAndBytes() throws Exception {
        double before = rejected(h2c, "body_timeout");
        int connections = 3;
        int[] stalled = {1, 3, 5, 7};
        List<RawHttp2Client> clients = new ArrayList<>();
        try {
            for (int i = 0; i < connections; i++) {
                RawHttp2Client c = RawHttp2Client.connect(h2c.port());
                clients.add(c);
                for (int id : stalled) {
                    // Idempotent route: each body is buffered for fingerprinting while it stalls.
                    postHead(c, id, "/v1/orders", 1000, AUTH, "Bearer many", "idempotency-key", "many-" + i + "-" + id,
                            "content-type", "application/json");
                    c.frame(RawHttp2Client.DATA, 0, id, ascii("{\"held\":\"" + "h".repeat(400))).flush();
                }
            }
            // While they hold their slots, another client is served.
            HttpResponse<String> other = jdk.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + https.port() + "/pass/other"))
                    .timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(other.statusCode()).isEqualTo(200);

            for (RawHttp2Client c : clients) {
                assertThat(c.awaitStreams(TIMED_OUT, WAIT, null, stalled)).isTrue();
                for (int id : stalled) {
                    assertThat(c.stream(id).status()).isEqualTo(408);
                }
            }
            await().atMost(WAIT).until(() -> h2c.scrapeMetrics().value("idemgate_buffered_request_bytes") == 0);

            // Every slot is free again: a full set of new streams on each connection is served, none refused.
            for (RawHttp2Client c : clients) {
                int[] fresh = {9, 11, 13, 15};
                for (int id : fresh) {
                    c.frame(RawHttp2Client.HEADERS, RawHttp2Client.END_HEADERS | RawHttp2Client.END_STREAM, id,
                            RawHttp2Client.getBlock("/pass/again")).flush();
                }
                assertThat(c.awaitStreams(StreamState::ended, WAIT, null, fresh)).isTrue();
                for (int id : fresh) {
                    assertThat(c.stream(id).status()).isEqualTo(200);
                    assertThat(c.stream(id).reset()).isFalse();
                }
            }
        } finally {
            for (RawHttp2Client c : clients) {
                c.close();
            }
        }
        assertThat(rejected(h2c, "body_timeout")).isEqualTo(before + connections * stalled.length);
        assertThat(upstream.requests()).noneMatch(r -> r.uri().equals("/v1/orders") && "Bearer many".equals(r.header("Authorization")));
    }

    @Test
    void aStalledIdempotentStreamClaimsNothingAndItsRetryExecutes() throws Exception {
        String body = "{\"a\":\"bcde\"}";
        String[] fields = {AUTH, "Bearer t", "idempotency-key", "h2-stall-1", "content-type", "application/json"};
        try (RawHttp2Client c = RawHttp2Client.connect(h2c.port())) {
            postHead(c, 1, "/v1/orders", body.length(), fields);
            c.frame(RawHttp2Client.DATA, 0, 1, ascii(body.substring(0, 5))).flush();
            assertThat(c.awaitStreams(TIMED_OUT, WAIT, null, 1)).isTrue();
            assertThat(c.stream(1).status()).isEqualTo(408);

            // Nothing was claimed, so the whole retry executes at once instead of meeting an in-flight record.
            postHead(c, 3, "/v1/orders", body.length(), fields);
            c.frame(RawHttp2Client.DATA, RawHttp2Client.END_STREAM, 3, ascii(body)).flush();
            assertThat(c.awaitStreams(StreamState::ended, WAIT, null, 3)).isTrue();
            assertThat(c.stream(3).status()).isEqualTo(200);
            assertThat(c.stream(3).headers().get("idempotent-replayed")).isNull();
        }
        assertThat(upstream.requests().stream().filter(r -> r.uri().equals("/v1/orders") && body.equals(r.bodyAsString())))
                .hasSize(1);
        await().atMost(WAIT).until(() -> accessLines("body_timeout").stream().anyMatch(
                l -> l.contains("route=\"v1\"") && l.contains("status=\"408\"")));
    }

    @Test
    void aHeaderBlockDrippedInContinuationFramesEndsTheConnection() throws Exception {
        double before = rejected(h2c, "header_timeout");
        AtomicBoolean stop = new AtomicBoolean();
        try (RawHttp2Client c = RawHttp2Client.connect(h2c.port())) {
            c.frame(RawHttp2Client.HEADERS, RawHttp2Client.END_STREAM, 1, RawHttp2Client.getBlock("/pass/slow-head")).flush();
            // Small fragments every 100 ms: far below max-header-list-size, so only the clock can end it.
            Thread dripper = new Thread(() -> {
                for (int i = 0; i < 100 && !stop.get(); i++) {
                    try {
                        synchronized (c) {
                            c.frame(RawHttp2Client.CONTINUATION, 0, 1, RawHttp2Client.header("x-drip-" + i, "a")).flush();
                        }
                        Thread.sleep(100); // the drip's pace is the point of the test
                    } catch (IOException | InterruptedException e) {
                        return;
                    }
                }
            }, "h2-continuation-drip");
            dripper.setDaemon(true);
            dripper.start();
            Frame goAway;
            try {
                goAway = c.readUntil(f -> f.type() == RawHttp2Client.GOAWAY, WAIT, null);
            } finally {
                stop.set(true);
                dripper.join(WAIT.toMillis());
            }

            assertThat(goAway).isNotNull();
            assertThat(goAway.errorCode()).isEqualTo(ENHANCE_YOUR_CALM);
            assertThat(goAway.debugText()).startsWith("request header timeout");
            assertThat(goAway.lastStreamId()).isZero(); // the half-sent request was not processed: safe to retry
            assertThat(c.closedWithin(WAIT)).isTrue();
        }
        assertThat(upstream.requests()).noneMatch(r -> r.uri().equals("/pass/slow-head"));
        await().atMost(WAIT).untilAsserted(() -> assertThat(rejected(h2c, "header_timeout")).isEqualTo(before + 1));
        await().atMost(WAIT).until(() -> !accessLines("header_timeout").isEmpty());
    }

    @Test
    void aHeadersFrameCutShortEndsTheConnectionAfterTheHeaderTimeout() throws Exception {
        double before = rejected(h2c, "header_timeout");
        try (RawHttp2Client c = RawHttp2Client.connect(h2c.port())) {
            // A frame header announcing 100 bytes of header block, then only 3 of them.
            byte[] head = {0, 0, 100, RawHttp2Client.HEADERS, RawHttp2Client.END_HEADERS, 0, 0, 0, 1, (byte) 0x82, (byte) 0x86, 0x04};
            c.raw(head).flush();

            Frame goAway = c.readUntil(f -> f.type() == RawHttp2Client.GOAWAY, WAIT, null);
            assertThat(goAway).isNotNull();
            assertThat(goAway.debugText()).startsWith("request header timeout");
            assertThat(goAway.lastStreamId()).isZero();
            assertThat(c.closedWithin(WAIT)).isTrue();
        }
        await().atMost(WAIT).untilAsserted(() -> assertThat(rejected(h2c, "header_timeout")).isEqualTo(before + 1));
    }

    @Test
    void aPrefaceDrippedPastTheHeaderTimeoutClosesTheConnection() throws Exception {
        double before = rejected(h2c, "header_timeout");
        try (Socket s = new Socket("127.0.0.1", h2c.port())) {
            s.setSoTimeout((int) WAIT.toMillis());
            s.getOutputStream().write(ascii("PRI * HTTP/2.0\r\n"));
            // The rest but its last byte, one every 400 ms: the idle timeout (2 s) never fires, the head's does.
            byte[] rest = ascii("\r\nSM\r\n\r");
            int read = 0;
            try {
                for (byte b : rest) {
                    s.getOutputStream().write(b);
                    Thread.sleep(400); // the drip's pace is the point of the test
                }
                read = s.getInputStream().read();
            } catch (IOException closed) {
                read = -1; // reset by the gateway while dripping: closed as well
            }
            assertThat(read).isEqualTo(-1);
        }
        await().atMost(WAIT).untilAsserted(() -> assertThat(rejected(h2c, "header_timeout")).isEqualTo(before + 1));
    }

    @Test
    void aConnectionWithNoOpenStreamClosesAfterTheIdleTimeoutThoughTheClientKeepsPinging() throws Exception {
        try (RawHttp2Client c = RawHttp2Client.connect(h2c.port())) {
            c.frame(RawHttp2Client.HEADERS, RawHttp2Client.END_HEADERS | RawHttp2Client.END_STREAM, 1,
                    RawHttp2Client.getBlock("/pass/once")).flush();
            assertThat(c.awaitStreams(StreamState::ended, WAIT, null, 1)).isTrue();

            // A PING every 200 ms (each read times out after 200 ms) keeps bytes flowing but asks for nothing.
            Frame goAway = c.readUntil(f -> f.type() == RawHttp2Client.GOAWAY, WAIT, () -> c.ping().flush());
            assertThat(goAway).isNotNull();
            assertThat(goAway.errorCode()).isEqualTo(NO_ERROR);
            assertThat(goAway.lastStreamId()).isEqualTo(1);
            assertThat(c.closedWithin(WAIT)).isTrue();
        }
    }

    @Test
    void anUpgradeToH2cIsServedAsHttp11AndTheUpgradeIsNotForwarded() throws Exception {
        // curl --http2 on a cleartext url asks for Upgrade: h2c; prior knowledge is the only h2c spoken.
        CommandLine.Result r = CommandLine.run("curl", "-sS", "--max-time", "10", "--http2", "-o", "/dev/null",
                "-w", "%{http_version} %{http_code}", "http://127.0.0.1:" + h2c.port() + "/pass/upgrade");
        assertThat(r.exitCode()).isZero();
        assertThat(r.output().trim()).isEqualTo("1.1 200");
        ReceivedRequest got = upstream.requests().stream().filter(q -> q.uri().equals("/pass/upgrade")).findFirst().orElseThrow();
        assertThat(got.header("Upgrade")).isNull();
        assertThat(got.header("HTTP2-Settings")).isNull();
    }
}
