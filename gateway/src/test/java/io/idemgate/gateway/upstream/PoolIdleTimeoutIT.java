package io.idemgate.gateway.upstream;

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
 * {@code upstream.pool-idle-timeout}: a pooled connection nobody uses is closed once it has been idle that
 * long, and a connection an exchange holds is not, however long the upstream takes to answer (the idle
 * clock counts reads only; the exchange's own response-timeout bounds the wait).
 */
class PoolIdleTimeoutIT {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @AutoClose
    private static ProxyTestBed bed;

    @BeforeAll
    static void start() throws Exception {
        bed = ProxyTestBed.start(url -> "idemgate.routes = [\n"
                + "  { name = pass, match { path = \"/**\" }, idempotency { mode = off },"
                + " upstream { urls = [\"" + url + "\"], pool-idle-timeout = 1s, response-timeout = 30s } }\n"
                + "]\n");
    }

    @Test
    void anIdlePooledConnectionClosesAndOneInUseDoesNot() throws Exception {
        // The answer takes longer than the idle timeout: the connection is busy, not idle.
        bed.upstream().reset(Behaviour.delay(Duration.ofMillis(2500), Behaviour.respond(200, "slow")));
        int acceptedBefore = bed.upstream().connectionsAccepted();
        try (RawHttpClient c = RawHttpClient.connect(bed.gateway().port())) {
            c.send("GET /slow HTTP/1.1\r\nHost: a\r\n\r\n");
            RawHttpClient.RawResponse r = c.readResponse(WAIT);
            assertThat(r.status()).isEqualTo(200);
        }
        assertThat(bed.upstream().connectionsAccepted() - acceptedBefore).isEqualTo(1);
        // Back in the pool, nobody uses it: it closes.
        await().atMost(WAIT).until(() -> bed.upstream().openConnections() == 0);
    }
}
