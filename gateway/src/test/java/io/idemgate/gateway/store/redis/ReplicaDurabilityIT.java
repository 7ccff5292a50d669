package io.idemgate.gateway.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.idemgate.gateway.idempotency.StoredResponse;
import io.idemgate.gateway.store.ClaimResult.Claimed;
import io.idemgate.gateway.store.StoreHealth;
import io.idemgate.gateway.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
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
 * {@code store.redis.min-replicas} (SPEC §2): a completion answers only once a replica holds it, or, when the
 * replica cannot confirm in time, answers anyway and is counted; and the {@code maxmemory-policy} check.
 */
class ReplicaDurabilityIT {

    private static final String PREFIX = "idemgate-replica-test:";
    private static final Duration MINUTE = Duration.ofMinutes(1);
    private static final Duration TIMEOUT = Duration.ofSeconds(1);

    private RedisServer master;
    private RedisServer replica;

    @BeforeEach
    void start() {
        master = RedisServer.start();
        replica = RedisServer.start();
        assertThat(replica.command("REPLICAOF 127.0.0.1 " + master.port())).isEqualTo("+OK");
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> replica.commandFull("INFO replication").contains("master_link_status:up"));
    }

    @AfterEach
    void stop() {
        for (RedisServer server : new RedisServer[] {replica, master}) {
            if (server != null) {
                server.stop();
            }
        }
    }

    @Test
    void withOneReplicaAskedACompletionAnswersOnlyOnceTheReplicaHoldsIt() {
        StoreHealth health = new StoreHealth();
        try (RedisIdempotencyStore store = store(1, health)) {
            for (int i = 0; i < 20; i++) {
                String id = "paid-" + i;
                long fence = ((Claimed) await(store.claim(id, "fp", "gw1/1", MINUTE, false, MINUTE))).fence();
                assertThat(await(store.complete(id, "gw1/1", fence, response("receipt"), MINUTE))).isTrue();
                // No wait here: WAIT already made the replica acknowledge it.
                // Format 3: a completed record is "3 C fence …" (docs/store-format.md).
                assertThat(replica.commandFull("GET " + PREFIX + "{" + id + "}")).startsWith("3 C ");
            }
            assertThat(health.unconfirmedCompletions()).isZero();
        }
    }

    @Test
    void aReplicaThatCannotConfirmInTimeIsCountedAndTheCompletionStillAnswers() {
        StoreHealth health = new StoreHealth();
        try (RedisIdempotencyStore store = store(1, health)) {
            long fence = ((Claimed) await(store.claim("slow", "fp", "gw1/1", MINUTE, false, MINUTE))).fence();
            CompletableFuture<Void> stalled = CompletableFuture.runAsync(() -> replica.debugSleep(Duration.ofSeconds(3)));
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> replicaStalled(store));

            assertThat(await(store.complete("slow", "gw1/1", fence, response("receipt"), MINUTE))).isTrue();

            assertThat(health.unconfirmedCompletions()).isEqualTo(1);
            stalled.orTimeout(10, TimeUnit.SECONDS).join();
        }
    }

    @Test
    void withoutMinReplicasNothingWaitsForReplicas() {
        StoreHealth health = new StoreHealth();
        try (RedisIdempotencyStore store = store(0, health)) {
            long fence = ((Claimed) await(store.claim("fast", "fp", "gw1/1", MINUTE, false, MINUTE))).fence();
            CompletableFuture<Void> stalled = CompletableFuture.runAsync(() -> replica.debugSleep(Duration.ofSeconds(3)));
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> replicaStalled(store));

            CompletableFuture<Boolean> completed = store.complete("fast", "gw1/1", fence, response("receipt"), MINUTE)
                    .toCompletableFuture();
            assertThat(completed).succeedsWithin(TIMEOUT.dividedBy(2)).isEqualTo(true);
            assertThat(stalled).isNotDone();
            assertThat(health.unconfirmedCompletions()).isZero();
            stalled.orTimeout(10, TimeUnit.SECONDS).join();
        }
    }

    @Test
    void anEvictingMaxmemoryPolicyIsReportedAndClearedWhenFixed() {
        StoreHealth health = new StoreHealth();
        master.command("CONFIG SET maxmemory 100mb");
        master.command("CONFIG SET maxmemory-policy volatile-lru");
        try (RedisIdempotencyStore store = store(0, health)) {
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(health::atEvictionRisk);
            assertThat(health.detail()).contains("volatile-lru");

            master.command("CONFIG SET maxmemory-policy noeviction");
            await(store.checkEvictionPolicy());
            assertThat(health.atEvictionRisk()).isFalse();
            assertThat(health.detail()).isEmpty();
        }
    }

    /**
     * The replica stopped acknowledging: a probe write is not confirmed. WAIT counts the writes of its own
     * connection, so the probe and the WAIT share one.
     */
    private boolean replicaStalled(RedisIdempotencyStore store) {
        RedisClient client = RedisClient.create(master.uri());
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            connection.sync().set(PREFIX + "probe", "x");
            return connection.sync().waitForReplication(1, 50) == 0;
        } finally {
            client.shutdown();
        }
    }

    private RedisIdempotencyStore store(int minReplicas, StoreHealth health) {
        RedisStoreSettings settings = RedisStoreSettings.DEFAULTS.withMinReplicas(minReplicas, TIMEOUT);
        return new RedisIdempotencyStore(master.uri(), PREFIX, Duration.ofSeconds(2), settings, health);
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
