package io.idemgate.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.idemgate.gateway.testsupport.Behaviour;
import io.idemgate.gateway.testsupport.GatewayFixture;
import io.idemgate.gateway.testsupport.NettyLeakDetection;
import io.idemgate.gateway.testsupport.RawHttp2Client;
import io.idemgate.gateway.testsupport.TestUpstream;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * HTTP/2 mode of the hostile-input fuzzing: random frame sequences (any type, flags, stream id and payload,
 * mixed with well-formed request headers) on h2c connections. Whatever a connection gets, the gateway
 * answers it with frames or closes it, and a well-behaved client on a new connection right after is served.
 * Netty's leak detector (PARANOID in tests) checks that no rejected frame leaks a buffer.
 */
class Http2FrameFuzzIT {

    private static TestUpstream upstream;
    private static GatewayFixture gateway;

    @BeforeContainer
    static void start() throws Exception {
        NettyLeakDetection.install(); // jqwik runs outside the JUnit extension that does this for other tests
        upstream = TestUpstream.start().handle(Behaviour.respond(200, "ok"));
        gateway = GatewayFixture.start(GatewayFixture.oneRoute("all", upstream.url(), "")
                + "idemgate.server { h2c = true, idle-timeout = 2s }\n");
    }

    @AfterContainer
    static void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        if (upstream != null) {
            upstream.close();
        }
        assertThat(NettyLeakDetection.collectLeaks()).as("Netty leaks during the HTTP/2 frame fuzz").isEmpty();
    }

    record RawFrame(int type, int flags, int stream, byte[] payload) {
    }

    @Provide
    Arbitrary<List<RawFrame>> frames() {
        Arbitrary<RawFrame> random = Combinators.combine(
                Arbitraries.integers().between(0, 12),
                Arbitraries.integers().between(0, 255),
                Arbitraries.of(0, 1, 3, 5, 2, 0x7fffffff),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(64)).as(RawFrame::new);
        Arbitrary<RawFrame> request = Arbitraries.of(1, 3, 5).map(id -> new RawFrame(RawHttp2Client.HEADERS,
                RawHttp2Client.END_HEADERS | RawHttp2Client.END_STREAM, id, RawHttp2Client.getBlock("/fuzz")));
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, random),
                net.jqwik.api.Tuple.of(1, request)).list().ofMinSize(1).ofMaxSize(12);
    }

    @Property(tries = 300)
    void anyFrameSequenceIsAnsweredOrClosedAndTheNextClientIsServed(@ForAll("frames") List<RawFrame> sequence) throws IOException {
        try (RawHttp2Client c = RawHttp2Client.connect(gateway.port())) {
            try {
                for (RawFrame f : sequence) {
                    c.frame(f.type(), f.flags(), f.stream(), f.payload());
                }
                c.flush();
            } catch (IOException closedMidway) {
                // the gateway hung up on an earlier frame: allowed
            }
            // Drain what comes back; the gateway must not hang the connection forever (idle-timeout bounds it).
            c.readUntil(f -> f.type() == RawHttp2Client.GOAWAY, Duration.ofMillis(300), null);
        }
        try (RawHttp2Client good = RawHttp2Client.connect(gateway.port())) {
            good.frame(RawHttp2Client.HEADERS, RawHttp2Client.END_HEADERS | RawHttp2Client.END_STREAM, 1,
                    RawHttp2Client.getBlock("/after")).flush();
            RawHttp2Client.Frame answer = good.readUntil(
                    f -> f.type() == RawHttp2Client.HEADERS && f.streamId() == 1, Duration.ofSeconds(10), null);
            assertThat(answer).as("a well-formed request after %s", sequence.size()).isNotNull();
        }
    }
}
