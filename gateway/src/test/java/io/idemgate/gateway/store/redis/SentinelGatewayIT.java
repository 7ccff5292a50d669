package io.idemgate.gateway.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.idemgate.gateway.testsupport.Behaviour;
import io.idemgate.gateway.testsupport.GatewayFixture;
import io.idemgate.gateway.testsupport.RedisServer;
import io.idemgate.gateway.testsupport.TestUpstream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue #13: a whole gateway with {@code store.redis.mode = sentinel} (redis-server master and replica, one
 * redis-sentinel), not only the store: it claims and replays through the master the Sentinel names, and after
 * the master is killed and the Sentinel promotes the replica, the same gateway follows the new master: an
 * answer given before the crash (confirmed by the replica, {@code min-replicas = 1}) still replays, and new
 * keys execute once and replay there.
 */
class SentinelGatewayIT {

    private static final String MASTER_NAME = "idemgate-gateway";
    private static final Duration WAIT = Duration.ofSeconds(30);

    private RedisServer master;
    private RedisServer replica;
    private RedisServer sentinel;
    private TestUpstream upstream;
    private GatewayFixture gateway;

    @BeforeEach
    void start() throws Exception {
        master = RedisServer.start();
        replica = RedisServer.start();
        assertThat(replica.command("REPLICAOF 127.0.0.1 " + master.port())).isEqualTo("+OK");
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> replica.commandFull("INFO replication").contains("master_link_status:up"));
        sentinel = RedisServer.startSentinel(master, MASTER_NAME);
        // The Sentinel learns the replica from the master's INFO; only then can it fail over to it.
        Awaitility.await().atMost(Duration.ofSeconds(15))
                .until(() -> sentinel.command("SENTINEL REPLICAS " + MASTER_NAME).equals("*1"));
        upstream = TestUpstream.start();
        upstream.handle(Behaviour.created());
        gateway = GatewayFixture.start("""
                idemgate.store { type = redis, redis { mode = sentinel, uri = "redis-sentinel://127.0.0.1:%d/#%s",
                                 command-timeout = 3s, min-replicas = 1, replica-timeout = 5s } }
                idemgate.routes = [ { name = pay, match.path = "/pay/**", upstream.urls = ["%s"] } ]
                """.formatted(sentinel.port(), MASTER_NAME, upstream.url()));
    }

    @AfterEach
    void stop() throws Exception {
        try {
            if (gateway != null) {
                gateway.close();
            }
        } finally {
            if (upstream != null) {
                upstream.close();
            }
            for (RedisServer server : new RedisServer[] {sentinel, replica, master}) {
                if (server != null) {
                    server.stop();
                }
            }
        }
    }

    @Test
    void theGatewayClaimsAndReplaysThroughSentinelAndFollowsAFailover() throws Exception {
        HttpResponse<String> paid = post("before-failover");
        assertThat(paid.statusCode()).isEqualTo(201);
        assertThat(paid.headers().firstValue("Idempotent-Replayed")).isEmpty();
        HttpResponse<String> replay = post("before-failover");
        assertThat(replay.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(replay.body()).isEqualTo(paid.body());
        assertThat(gateway.scrapeMetrics().sum("idemgate_store_unconfirmed_completions_total"))
                .as("the replica confirmed the completion before the answer was released").isZero();

        master.kill();
        // A busy replica may drop a probing connection while it reconfigures itself: try again.
        Awaitility.await().atMost(WAIT).ignoreExceptions()
                .until(() -> replica.commandFull("INFO replication").contains("role:master"));

        // Until the store has reconnected (it asks the Sentinel again), requests fail closed (503, no execution).
        HttpResponse<String> afterFailover = Awaitility.await().atMost(WAIT).ignoreExceptions()
                .until(() -> post("before-failover"), r -> r.statusCode() != 503);
        assertThat(afterFailover.statusCode()).isEqualTo(201);
        assertThat(afterFailover.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(afterFailover.body()).as("the answer the client already had").isEqualTo(paid.body());

        // A new key on the promoted master. Until the replica check's own connection has followed the
        // failover, a completion cannot be confirmed and is not answered as stored: the client's connection
        // is cut (outcome unknown), and its retry is answered from the record — never a second execution.
        HttpResponse<String> fresh = Awaitility.await().atMost(WAIT).ignoreExceptions()
                .until(() -> post("after-failover"), r -> r.statusCode() != 503);
        assertThat(fresh.statusCode()).isEqualTo(201);
        HttpResponse<String> freshReplay = post("after-failover");
        assertThat(freshReplay.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(freshReplay.body()).isEqualTo(fresh.body());
        assertThat(upstream.requestCount()).as("one execution per key").isEqualTo(2);
    }

    private HttpResponse<String> post(String key) throws Exception {
        return gateway.client().send(HttpRequest.newBuilder(gateway.uri("/pay/charge")).timeout(WAIT)
                .header("Content-Type", "application/json").header("Idempotency-Key", key)
                .POST(HttpRequest.BodyPublishers.ofString("{\"amount\":1}")).build(), HttpResponse.BodyHandlers.ofString());
    }
}
