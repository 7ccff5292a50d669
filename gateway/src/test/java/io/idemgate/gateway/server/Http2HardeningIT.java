package io.idemgate.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.idemgate.gateway.testsupport.Behaviour;
import io.idemgate.gateway.testsupport.GatewayFixture;
import io.idemgate.gateway.testsupport.RawHttp2Client;
import io.idemgate.gateway.testsupport.RawHttp2Client.Frame;
import io.idemgate.gateway.testsupport.TestUpstream;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The HTTP/2 abuse cases of issue #14 with hand-made frames: rapid reset (CVE-2023-44487), a CONTINUATION
 * flood, too many concurrent streams and a zero-window stall. Each ends in the right frame from the gateway
 * and a count in {@code idemgate_rejected_requests_total}; none affects a well-behaved client afterwards.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class Http2HardeningIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final int SETTINGS_INITIAL_WINDOW_SIZE = 4;

    private TestUpstream upstream;
    private GatewayFixture gateway;

    @BeforeAll
    void start() throws Exception {
        upstream = TestUpstream.start().handle(Behaviour.respond(200, "ok"));
        gateway = GatewayFixture.start(GatewayFixture.oneRoute("all", upstream.url(), "")
                + "idemgate.server { h2c = true, idle-timeout = 1s\n"
                + "  http2 { max-concurrent-streams = 4, max-resets-per-window = 50, max-header-list-size = 8k } }\n");
    }

    @AfterAll
    void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    private double rejected(String reason) throws Exception {
        return gateway.scrapeMetrics().value("idemgate_rejected_requests_total", "reason", reason);
    }

    @Test
    void rapidResetEndsTheConnectionWithEnhanceYourCalm() throws Exception {
        double before = rejected("h2_rapid_reset");
        try (RawHttp2Client c = RawHttp2Client.connect(gateway.port())) {
            byte[] get = RawHttp2Client.getBlock("/reset");
            for (int i = 0; i < 500; i++) {
                int stream = 2 * i + 1;
                c.frame(RawHttp2Client.HEADERS, RawHttp2Client.END_HEADERS | RawHttp2Client.END_STREAM, stream, get);
                c.rst(stream, 0x8); // CANCEL
            }
            c.flush();
            Frame goAway = c.readUntil(f -> f.type() == RawHttp2Client.GOAWAY, TIMEOUT, null);

            assertThat(goAway).isNotNull();
            assertThat(goAway.errorCode()).isEqualTo(0xb); // ENHANCE_YOUR_CALM
        }
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(rejected("h2_rapid_reset")).isGreaterThan(before));
    }

    @Test
    void aContinuationFloodEndsTheConnection() throws Exception {
        double before = rejected("h2_headers_too_large");
        try (RawHttp2Client c = RawHttp2Client.connect(gateway.port())) {
            c.frame(RawHttp2Client.HEADERS, RawHttp2Client.END_STREAM, 1, RawHttp2Client.getBlock("/flood"));
            byte[] filler = RawHttp2Client.header("x-filler", "v".repeat(1000));
            Frame goAway = null;
            for (int i = 0; i < 2000 && goAway == null; i++) {
                try {
                    c.frame(RawHttp2Client.CONTINUATION, 0, 1, filler);
                } catch (java.io.IOException closed) {
                    break; // the gateway hung up mid-flood: what it should do
                }
                if (i % 50 == 49) {
                    c.flush();
                    goAway = c.readUntil(f -> f.type() == RawHttp2Client.GOAWAY, Duration.ofMillis(1), null);
                }
            }
        }
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(rejected("h2_headers_too_large")).isGreaterThan(before));
    }

    @Test
    void streamsBeyondTheLimitAreRefused() throws Exception {
        upstream.handle(Behaviour.delay(Duration.ofMillis(500), Behaviour.respond(200, "ok")));
        try (RawHttp2Client c = RawHttp2Client.connect(gateway.port())) {
            c.readUntil(f -> f.type() == RawHttp2Client.SETTINGS && (f.flags() & 1) == 0, TIMEOUT, null); // the server's limits
            byte[] get = RawHttp2Client.getBlock("/slow");
            for (int i = 0; i < 5; i++) {
                c.frame(RawHttp2Client.HEADERS, RawHttp2Client.END_HEADERS | RawHttp2Client.END_STREAM, 2 * i + 1, get);
            }
            c.flush();
            Frame refused = c.readUntil(f -> f.type() == RawHttp2Client.RST_STREAM, TIMEOUT, null);

            assertThat(refused).isNotNull();
            assertThat(refused.streamId()).isEqualTo(9);
            assertThat(refused.errorCode()).isEqualTo(0x7); // REFUSED_STREAM
        } finally {
            upstream.handle(Behaviour.respond(200, "ok"));
        }
    }

    @Test
    void aStreamWhoseWindowStaysShutIsResetWhileTheClientKeepsPinging() throws Exception {
        upstream.handle(Behaviour.download(1 << 20));
        double before = rejected("h2_stalled_stream");
        try (RawHttp2Client c = RawHttp2Client.connect(gateway.port(), SETTINGS_INITIAL_WINDOW_SIZE, 0)) {
            c.frame(RawHttp2Client.HEADERS, RawHttp2Client.END_HEADERS | RawHttp2Client.END_STREAM, 1,
                    RawHttp2Client.getBlock("/download"));
            c.flush();
            Frame reset = c.readUntil(f -> f.type() == RawHttp2Client.RST_STREAM && f.streamId() == 1, TIMEOUT,
                    () -> c.ping().flush());

            assertThat(reset).isNotNull();
        } finally {
            upstream.handle(Behaviour.respond(200, "ok"));
        }
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(rejected("h2_stalled_stream")).isGreaterThan(before));
    }
}
