package io.idemgate.gateway.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.idemgate.gateway.idempotency.IdempotencyRecord.Completed;
import io.idemgate.gateway.store.ClaimResult.Claimed;
import io.idemgate.gateway.store.IdempotencyStore;
import io.idemgate.gateway.testsupport.GatewayFixture;
import io.idemgate.gateway.testsupport.RedisCluster;
import io.idemgate.gateway.testsupport.RedisServer;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The store contract against a real three-master Redis Cluster, plus routing and cross-node wake-ups. */
class RedisClusterStoreIT extends RedisStoreContract {

    private static final String PREFIX = "idemgate-test:";
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(1);
    private static RedisCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = RedisCluster.start();
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.stop();
        }
    }

    @Override
    protected IdempotencyStore createStore() {
        return RedisIdempotencyStore.cluster(cluster.seedUris(), PREFIX, COMMAND_TIMEOUT);
    }

    @Test
    void recordsLandOnEveryMasterAndEachIsWrittenOnTheNodeOwningItsSlot() {
        Set<Integer> ports = new HashSet<>();
        for (int i = 0; i < 30; i++) {
            String recordId = "spread-" + UUID.randomUUID();
            fence = fenceOf(await(store.claim(recordId, FINGERPRINT, OWNER, lease(), false, ttl())), false);
            assertThat(await(store.complete(recordId, OWNER, fence, response("paid-" + i), ttl()))).isTrue();
            assertThat(bodyOf(((Completed) await(store.get(recordId)).orElseThrow()).response()))
                    .isEqualTo(("paid-" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8));

            RedisServer owner = cluster.nodeOwning(key(recordId));
            assertThat(owner.command("EXISTS " + key(recordId))).isEqualTo(":1");
            ports.add(owner.port());
        }
        // 30 random ids on 3 masters: all three hit except with probability ~3 * (2/3)^30 ≈ 1.6e-5.
        assertThat(ports).hasSize(3);
    }

    @Test
    void scriptsForgottenByEveryNodeAreSentAgainToTheOwningNode() {
        for (RedisServer node : cluster.nodes()) {
            assertThat(node.command("SCRIPT FLUSH")).isEqualTo("+OK");
        }
        for (RedisServer node : cluster.nodes()) {
            String recordId = idOwnedBy(node);
            fence = fenceOf(await(store.claim(recordId, FINGERPRINT, OWNER, lease(), false, ttl())), false);
            assertThat(await(store.complete(recordId, OWNER, fence, response("paid"), ttl()))).isTrue();
        }
    }

    @Test
    void aWaiterOnOneInstanceIsWokenByACompletionOnAnyMasterThroughPubSub() {
        // The waiting instance re-checks only every minute: a wake-up within seconds came by pub/sub. Its one
        // subscription sits on one node; records on the other two masters publish there through the cluster bus.
        try (IdempotencyStore other = RedisIdempotencyStore.cluster(cluster.seedUris(), PREFIX, COMMAND_TIMEOUT,
                Duration.ofMinutes(1))) {
            for (RedisServer node : cluster.nodes()) {
                String recordId = idOwnedBy(node);
                fence = fenceOf(await(store.claim(recordId, FINGERPRINT, OWNER, lease(), false, ttl())), false);
                CompletableFuture<Void> waiter = other.awaitChange(recordId);
                assertThat(waiter).isNotDone();

                await(store.complete(recordId, OWNER, fence, response("paid"), ttl()));

                assertThat(waiter).as("waiter for a record on port %d", node.port()).succeedsWithin(wakeWithin());
            }
        }
    }

    @Test
    void aLostNotificationIsCoveredByTheFallbackReCheck() {
        claim(FINGERPRINT, OWNER, false);
        CompletableFuture<Void> waiter = store.awaitChange(id);

        // A write that bypasses the scripts publishes nothing, as if the message had been lost.
        assertThat(cluster.nodeOwning(key(id)).command("DEL " + key(id))).isEqualTo(":1");

        assertThat(waiter).succeedsWithin(Duration.ofMillis(RedisIdempotencyStore.RECHECK_MILLIS * 3));
    }

    @Test
    void whileAMasterIsDownItsRecordsFailFastOthersWorkAndItsReturnIsFollowed() {
        try (IdempotencyStore other = RedisIdempotencyStore.cluster(cluster.seedUris(), PREFIX, COMMAND_TIMEOUT,
                Duration.ofMinutes(1))) {
            // Kill a node that carries at least one of the two subscriptions: the hardest case for
            // pub/sub. Records on it fail fast; records elsewhere work, and waiters are still woken by pub/sub.
            RedisServer down = cluster.nodesSubscribedTo(PREFIX + "events").get(0);
            RedisServer up = cluster.nodes().stream().filter(node -> node != down).findFirst().orElseThrow();
            String onDown = idOwnedBy(down);
            String onUp = idOwnedBy(up);
            down.kill();

            long start = System.nanoTime();
            assertThat(store.claim(onDown, FINGERPRINT, OWNER, lease(), false, ttl()).toCompletableFuture())
                    .failsWithin(Duration.ofSeconds(3));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(COMMAND_TIMEOUT.plusMillis(500));
            // The cluster marks a master failed only after cluster-node-timeout (15 s); until then the others serve.
            fence = fenceOf(await(store.claim(onUp, FINGERPRINT, OWNER, lease(), false, ttl())), false);
            // Lettuce re-homes both stores' subscriptions on a live node, and completions there still wake.
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> cluster.pubSubClients() == 2);
            CompletableFuture<Void> wokenWhileDown = other.awaitChange(onUp);
            assertThat(wokenWhileDown).isNotDone();
            assertThat(await(store.complete(onUp, OWNER, fence, response("paid"), ttl()))).isTrue();
            assertThat(wokenWhileDown).succeedsWithin(wakeWithin());

            down.restart();
            cluster.awaitStateOk();

            Awaitility.await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() ->
                    await(store.claim(onDown, FINGERPRINT, OWNER, lease(), false, ttl())) instanceof Claimed claimed
                    && (fence = claimed.fence()) > 0);
            // The node came back empty (no persistence); its slots are served again and its records wake waiters.
            CompletableFuture<Void> waiter = other.awaitChange(onDown);
            assertThat(waiter).isNotDone();
            await(store.complete(onDown, OWNER, fence, response("paid"), ttl()));
            assertThat(waiter).succeedsWithin(wakeWithin());
        }
    }

    @Test
    void readinessAsksEveryMasterSoOneDownMakesTheGatewayNotReadyUntilItReturns() throws Exception {
        String seeds = String.join(", ", cluster.seedUris().stream().map(uri -> "\"" + uri + "\"").toList());
        try (GatewayFixture gateway = GatewayFixture.start("""
                idemgate.store { type = redis, redis { mode = cluster, uri = [%s], key-prefix = "%s",
                                                       command-timeout = 1s } }
                """.formatted(seeds, PREFIX))) {
            assertThat(await(store.ping())).isTrue();
            assertThat(readyz(gateway)).isEqualTo(200);

            // The last seed: a plain PING on the cluster connection goes to the first reachable seed, so
            // only a ping of every master sees this one gone.
            RedisServer down = cluster.nodes().get(cluster.nodes().size() - 1);
            down.kill();
            try {
                Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !await(store.ping()));
                Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> readyz(gateway) == 503);
            } finally {
                down.restart();
                cluster.awaitStateOk();
            }

            // Back: ready again, once the gateway's circuit breaker lets its next probe through (cool-down <= 10 s).
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> await(store.ping()));
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> readyz(gateway) == 200);
        }
    }

    private static int readyz(GatewayFixture gateway) throws Exception {
        return gateway.get(gateway.adminUri("/readyz")).statusCode();
    }

    private static String idOwnedBy(RedisServer node) {
        for (int i = 0; i < 1_000; i++) {
            String candidate = "node-" + UUID.randomUUID();
            if (cluster.nodeOwning(key(candidate)) == node) {
                return candidate;
            }
        }
        throw new IllegalStateException("no id found for the node on port " + node.port());
    }

    private static String key(String recordId) {
        return PREFIX + "{" + recordId + "}";
    }
}
