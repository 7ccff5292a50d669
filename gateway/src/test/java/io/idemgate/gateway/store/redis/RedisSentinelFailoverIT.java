package io.idemgate.gateway.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.idemgate.gateway.config.StoreConfig;
import io.idemgate.gateway.idempotency.IdempotencyRecord.Completed;
import io.idemgate.gateway.idempotency.StoredResponse;
import io.idemgate.gateway.store.ClaimResult;
import io.idemgate.gateway.store.ClaimResult.Claimed;
import io.idemgate.gateway.store.ClaimResult.Existing;
import io.idemgate.gateway.store.IdempotencyStore;
import io.idemgate.gateway.store.StoreFactory;
import io.idemgate.gateway.testsupport.RedisServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A Sentinel failover under a running store: one master, one replica, one Sentinel (quorum 1, master down
 * after 1 s). The master is killed; once the Sentinel has promoted the replica, the store (which asks the
 * Sentinel for the master on every reconnect) replays a record completed before the crash and claims new
 * keys on the new master.
 */
class RedisSentinelFailoverIT {

    private static final String MASTER_NAME = "idemgate-failover";
    private static final String PREFIX = "idemgate-failover-test:";
    private static final Duration MINUTE = Duration.ofMinutes(1);

    private RedisServer master;
    private RedisServer replica;
    private RedisServer sentinel;

    @BeforeEach
    void start() {
        master = RedisServer.start();
        replica = RedisServer.start();
        assertThat(replica.command("REPLICAOF 127.0.0.1 " + master.port())).isEqualTo("+OK");
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> replica.commandFull("INFO replication").contains("master_link_status:up"));
        sentinel = RedisServer.startSentinel(master, MASTER_NAME);
        // The Sentinel learns the replica from the master's INFO; only then can it fail over to it.
        Awaitility.await().atMost(Duration.ofSeconds(15))
                .until(() -> sentinel.command("SENTINEL REPLICAS " + MASTER_NAME).equals("*1"));
    }

    @AfterEach
    void stop() {
        for (RedisServer server : new RedisServer[] {sentinel, replica, master}) {
            if (server != null) {
                server.stop();
            }
        }
    }

    @Test
    void afterTheMasterIsKilledACompletedRecordReplaysFromThePromotedReplicaAndNewKeysClaimThere() {
        String uri = "redis-sentinel://127.0.0.1:" + sentinel.port() + "/#" + MASTER_NAME;
        StoreConfig config = new StoreConfig(StoreConfig.Type.REDIS, new StoreConfig.Memory(1),
                new StoreConfig.Redis(List.of(uri), StoreConfig.Redis.Mode.SENTINEL, PREFIX, Duration.ofSeconds(1)));
        try (IdempotencyStore store = StoreFactory.create(config)) {
            long paid = ((Claimed) await(store.claim("paid", "fp", "gw1/1", MINUTE, false, MINUTE))).fence();
            assertThat(await(store.complete("paid", "gw1/1", paid, response("receipt"), MINUTE))).isTrue();
            // Replication is asynchronous: make sure the replica has the record before the master dies.
            assertThat(master.command("WAIT 1 1000")).isEqualTo(":1");

            master.kill();
            // A busy replica may drop a probing connection while it reconfigures itself: try again.
            Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                    .until(() -> replica.commandFull("INFO replication").contains("role:master"));

            // Until the store has reconnected (it asks the Sentinel again each attempt), calls fail fast.
            ClaimResult retry = Awaitility.await().atMost(Duration.ofSeconds(15)).ignoreExceptions()
                    .until(() -> await(store.claim("paid", "fp", "gw2/1", MINUTE, false, MINUTE)),
                            result -> result instanceof Existing);
            Completed replayed = (Completed) ((Existing) retry).record();
            assertThat(new String(replayed.response().body().loadAll().toCompletableFuture().join().toByteArray(),
                    StandardCharsets.UTF_8)).isEqualTo("receipt");

            long fresh = ((Claimed) await(store.claim("new", "fp", "gw2/2", MINUTE, false, MINUTE))).fence();
            assertThat(replica.command("EXISTS " + PREFIX + "{new}")).isEqualTo(":1");
            CompletableFuture<Void> waiter = store.awaitChange("new");
            assertThat(await(store.complete("new", "gw2/2", fresh, response("second"), MINUTE))).isTrue();
            assertThat(waiter).succeedsWithin(Duration.ofSeconds(5));
        }
    }

    private static StoredResponse response(String body) {
        return new StoredResponse(201, List.of(), body.getBytes(StandardCharsets.UTF_8), false);
    }

    private static <T> T await(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("store operation failed or hung", e);
        }
    }
}
