package io.idemgate.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.idemgate.gateway.testsupport.Behaviour;
import io.idemgate.gateway.testsupport.ProxyTestBed;
import io.idemgate.gateway.testsupport.RawHttpClient;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Many hostile clients at once cannot hold the gateway's resources: heads that drip and bodies that
 * stall are cut at their timeouts, upstream connections stay within the pool's limit and come back,
 * idle connections cost no buffers, and an unrelated client is served throughout. Asserts on state and
 * counters, never on how long anything took.
 */
class ResourceBoundsIT {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final int POOL = 8;

    @AutoClose
    private static ProxyTestBed bed;

    @BeforeAll
    static void start() throws Exception {
        bed = ProxyTestBed.start(url -> "idemgate.server { request-header-timeout = 1s, request-body-timeout = 1s,"
                + " idle-timeout = 60s }\n"
                + "idemgate.routes = [\n"
                + "  { name = v1, match { path = \"/v1/**\" }, upstream { urls = [\"" + url + "\"], max-connections = " + POOL + " } }\n"
                + "  { name = pass, match { path = \"/**\" }, upstream { urls = [\"" + url + "\"], max-connections = " + POOL + " },"
                + " idempotency { mode = off } }\n"
                + "]\n");
    }

    @BeforeEach
    void reset() {
        bed.upstream().reset(Behaviour.respond(200, "ok"));
    }

    private static void assertAnUnrelatedClientIsServed() throws IOException {
        try (RawHttpClient c = RawHttpClient.connect(bed.gateway().port())) {
            c.send("GET /pass/unrelated HTTP/1.1\r\nHost: a\r\n\r\n");
            assertThat(c.readResponse(Duration.ofSeconds(10)).status()).isEqualTo(200);
        }
    }

    private static double rejected(String reason) throws Exception {
        return bed.gateway().scrapeMetrics().value("idemgate_rejected_requests_total", "reason", reason);
    }

    private static void closeAll(List<? extends AutoCloseable> all) {
        for (AutoCloseable c : all) {
            try {
                c.close();
            } catch (Exception ignored) {
                // already closed by the gateway
            }
        }
    }

    @Test
    void twoHundredDrippingHeadsAreAllCutAndOthersAreServedMeanwhile() throws Exception {
        double before = rejected("header_timeout");
        List<RawHttpClient> drippers = new ArrayList<>();
        try {
            for (int i = 0; i < 200; i++) {
                RawHttpClient c = RawHttpClient.connect(bed.gateway().port());
                drippers.add(c);
                c.send("GET /pass/drip HTTP/1.1\r\nHost: a\r\n");
            }
            assertAnUnrelatedClientIsServed();
            // Every dripping connection is answered 408 and closed, however long it keeps dripping.
            for (RawHttpClient c : drippers) {
                try {
                    c.send("X-More: a\r\n");
                } catch (IOException closedAlready) {
                    // fine: the gateway may have cut it already
                }
            }
            for (RawHttpClient c : drippers) {
                assertThat(c.readResponse(WAIT).status()).isEqualTo(408);
                assertThat(c.isClosedByPeer(WAIT)).isTrue();
            }
        } finally {
            closeAll(drippers);
        }
        assertThat(rejected("header_timeout") - before).isEqualTo(200);
        assertThat(bed.upstream().requests()).extracting(r -> r.uri()).containsOnly("/pass/unrelated");
    }

    @Test
    void stalledBodiesOnBothKindsOfRouteHoldNoUpstreamConnectionAndClaimNothing() throws Exception {
        double before = rejected("body_timeout");
        int acceptedBefore = bed.upstream().connectionsAccepted();
        List<RawHttpClient> stallers = new ArrayList<>();
        try {
            for (int i = 0; i < 4 * POOL; i++) {
                RawHttpClient c = RawHttpClient.connect(bed.gateway().port());
                stallers.add(c);
                String path = i % 2 == 0 ? "/pass/upload" : "/v1/orders";
                c.send("POST " + path + " HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer t\r\nIdempotency-Key: stall-" + i
                        + "\r\nContent-Length: 1000\r\n\r\n" + "s".repeat(100));
            }
            // Twice as many stalled pass-through bodies as the pool has connections, and the pool is free.
            assertAnUnrelatedClientIsServed();
            for (RawHttpClient c : stallers) {
                assertThat(c.readResponse(WAIT).status()).isEqualTo(408);
                assertThat(c.isClosedByPeer(WAIT)).isTrue();
            }
        } finally {
            closeAll(stallers);
        }
        assertThat(rejected("body_timeout") - before).isEqualTo(4 * POOL);
        assertThat(bed.upstream().requests()).extracting(r -> r.uri()).containsOnly("/pass/unrelated");
        assertThat(bed.upstream().connectionsAccepted() - acceptedBefore).isLessThanOrEqualTo(1);
        // No idempotent body was claimed: the key executes now.
        try (RawHttpClient c = RawHttpClient.connect(bed.gateway().port())) {
            c.send("POST /v1/orders HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer t\r\nIdempotency-Key: stall-1\r\n"
                    + "Content-Length: 2\r\n\r\n{}");
            RawHttpClient.RawResponse r = c.readResponse(WAIT);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("Idempotent-Replayed")).isNull();
        }
    }

    @Test
    void twoThousandIdleConnectionsHoldNoBuffersAndOthersAreServed() throws Exception {
        List<Socket> idle = new ArrayList<>();
        try {
            for (int i = 0; i < 2000; i++) {
                Socket s = new Socket();
                s.connect(new InetSocketAddress("127.0.0.1", bed.gateway().port()), 5000);
                idle.add(s);
            }
            assertAnUnrelatedClientIsServed();
            // An idle connection has read nothing, so it holds no pooled buffer (only its channel object).
            long held = PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory()
                    + PooledByteBufAllocator.DEFAULT.metric().usedHeapMemory();
            assertThat(held).isLessThan(64L * 1024 * 1024);
        } finally {
            closeAll(idle);
        }
    }
}
