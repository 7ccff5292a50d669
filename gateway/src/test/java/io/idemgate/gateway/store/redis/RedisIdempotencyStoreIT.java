package io.idemgate.gateway.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.idemgate.gateway.idempotency.BodyChunks;
import io.idemgate.gateway.idempotency.IdempotencyRecord.Completed;
import io.idemgate.gateway.idempotency.IdempotencyRecord.InFlight;
import io.idemgate.gateway.idempotency.StoredResponse;
import io.idemgate.gateway.store.ClaimResult.Claimed;
import io.idemgate.gateway.store.IdempotencyStore;
import io.idemgate.gateway.testsupport.DeterministicBytes;
import io.idemgate.gateway.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The store contract against a real redis-server, plus what only a shared store must do. */
class RedisIdempotencyStoreIT extends RedisStoreContract {

    private static final String PREFIX = "idemgate-test:";
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(1);
    private static RedisServer redis;

    @BeforeAll
    static void startRedis() {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() {
        redis.stop();
    }

    @Override
    protected IdempotencyStore createStore() {
        return newStore();
    }

    @Test
    void scriptsForgottenByRedisAreSentAgain() {
        assertThat(redis.command("SCRIPT FLUSH")).isEqualTo("+OK");

        assertClaimedAbove(claim(FINGERPRINT, OWNER, false), 0, false);
        assertThat(await(store.complete(id, OWNER, fence, response("paid"), ttl()))).isTrue();
    }

    @Test
    void aStateChangeIsPublishedOnlyWhenSomeoneWaitsForIt() {
        // Unwatched: the first request of a key that nobody duplicates costs no PUBLISH.
        long before = publishCalls();
        claim(FINGERPRINT, OWNER, false);
        assertThat(await(store.complete(id, OWNER, fence, response("paid"), ttl()))).isTrue();
        assertThat(publishCalls()).isEqualTo(before);

        // Watched: a waiter's registration marks the record, and its completion is published.
        String watchedId = id + "-watched";
        fence = fenceOf(await(store.claim(watchedId, FINGERPRINT, OWNER, lease(), false, ttl())), false);
        CompletableFuture<Void> waiter = store.awaitChange(watchedId);
        // Format 3: "3 I fence created lease_until unknown_ttl watched fp owner".
        Awaitility.await().atMost(wakeWithin()).until(() ->
                redis.commandFull("GET " + PREFIX + "{" + watchedId + "}").split(" ")[6].equals("1"));
        assertThat(await(store.complete(watchedId, OWNER, fence, response("paid"), ttl()))).isTrue();
        assertThat(waiter).succeedsWithin(wakeWithin());
        assertThat(publishCalls()).isEqualTo(before + 1);
    }

    private static long publishCalls() {
        String stats = redis.commandFull("INFO commandstats");
        return stats.lines().filter(l -> l.startsWith("cmdstat_publish:")).findFirst()
                .map(l -> Long.parseLong(l.substring(l.indexOf("calls=") + 6, l.indexOf(','))))
                .orElse(0L);
    }

    @Test
    void aWaiterOnOneInstanceIsWokenByACompletionOnAnotherThroughPubSub() {
        // The waiting instance re-checks only every minute: a wake-up within seconds came by pub/sub.
        try (IdempotencyStore other = new RedisIdempotencyStore(redis.uri(), PREFIX, COMMAND_TIMEOUT,
                Duration.ofMinutes(1))) {
            claim(FINGERPRINT, OWNER, false);
            CompletableFuture<Void> waiter = other.awaitChange(id);
            assertThat(waiter).isNotDone();

            await(store.complete(id, OWNER, fence, response("paid"), ttl()));

            assertThat(waiter).succeedsWithin(wakeWithin());
        }
    }

    @Test
    void aLostNotificationIsCoveredByTheFallbackReCheck() {
        claim(FINGERPRINT, OWNER, false);
        CompletableFuture<Void> waiter = store.awaitChange(id);

        // A write that bypasses the scripts publishes nothing, as if the message had been lost.
        assertThat(redis.command("DEL " + PREFIX + "{" + id + "}")).isEqualTo(":1");

        assertThat(waiter).succeedsWithin(Duration.ofMillis(RedisIdempotencyStore.RECHECK_MILLIS * 3));
    }

    @Test
    void anOwnerOnOneInstanceCannotWriteAfterAnotherInstanceTookOver() {
        try (IdempotencyStore other = newStore()) {
            claim(FINGERPRINT, OWNER, false);
            letTimePass(lease());

            long first = fence;
            fence = fenceOf(await(other.claim(id, FINGERPRINT, OTHER_OWNER, lease(), true, ttl())), true);
            assertThat(fence).isGreaterThan(first);

            assertThat(await(store.complete(id, OWNER, first, response("stale"), ttl()))).isFalse();
            assertThat(await(store.renew(id, OWNER, first, lease()))).isFalse();
            assertThat(((InFlight) await(store.get(id)).orElseThrow()).owner()).isEqualTo(OTHER_OWNER);
            assertThat(await(other.complete(id, OTHER_OWNER, fence, response("fresh"), ttl()))).isTrue();
        }
    }

    @Test
    void aBinaryBodyAndRepeatedHeadersSurviveTheRoundTrip() {
        claim(FINGERPRINT, OWNER, false);
        byte[] body = new byte[256];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) i;
        }
        var response = new StoredResponse(200,
                List.of(Map.entry("Set-Cookie", "a=1"), Map.entry("Set-Cookie", "b=\"2\"")), body, false);
        await(store.complete(id, OWNER, fence, response, ttl()));

        var completed = (Completed) record();
        assertThat(bodyOf(completed.response())).isEqualTo(body);
        assertThat(completed.response().headers()).isEqualTo(response.headers());
    }

    @Test
    void whileRedisIsDownOperationsFailFastAndTheStoreRecoversByItself() {
        claim(FINGERPRINT, OWNER, false);
        redis.kill();

        long start = System.nanoTime();
        assertThat(store.claim(id, FINGERPRINT, OTHER_OWNER, lease(), false, ttl()).toCompletableFuture())
                .failsWithin(Duration.ofSeconds(3));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(COMMAND_TIMEOUT.plusMillis(500));
        assertThat(await(store.ping())).isFalse();

        redis.restart();

        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> await(store.ping()));
        assertClaimedAbove(claim(FINGERPRINT, OWNER, false), 0, false);
        CompletableFuture<Void> waiter = store.awaitChange(id);
        await(store.complete(id, OWNER, fence, response("paid"), ttl()));
        assertThat(waiter).succeedsWithin(wakeWithin());
    }

    @Test
    void aLargeBodyIsStagedChunkByChunkAndEveryKeyOfTheRecordExpires() {
        claim(FINGERPRINT, OWNER, false);
        byte[] body = DeterministicBytes.bytes(3 * BodyChunks.CHUNK_SIZE + 500);

        assertThat(await(store.complete(id, OWNER, fence, new StoredResponse(200, List.of(), body, false), ttl()))).isTrue();

        try (Inspector redisView = new Inspector()) {
            String recordKey = PREFIX + "{" + id + "}";
            // Format 3: "3 C fence created completed expires fp status omitted headers_length chunks length
            // body_key\n" and nothing after the (empty) headers: the body is in the body key.
            String record = redisView.sync.get(recordKey);
            String[] header = record.substring(0, record.indexOf('\n')).split(" ");
            assertThat(header[10]).as("chunks").isEqualTo("4");
            assertThat(header[11]).as("length").isEqualTo(Integer.toString(body.length));
            assertThat(record).endsWith("\n[]");
            String bodyKey = header[12];
            assertThat(redisView.keysOf(id)).containsExactlyInAnyOrder(recordKey, bodyKey);
            assertThat(redisView.sync.hlen(bodyKey)).isEqualTo(4);
            for (String key : redisView.keysOf(id)) {
                assertThat(redisView.sync.pttl(key)).as("TTL of %s", key).isPositive();
            }
            for (String field : redisView.sync.hkeys(bodyKey)) {
                assertThat(redisView.sync.hstrlen(bodyKey, field)).as("%s %s", bodyKey, field)
                        .isLessThanOrEqualTo(BodyChunks.CHUNK_SIZE);
            }
            assertThat(redisView.sync.strlen(recordKey)).as("the record carries no chunk").isLessThan(1_000);
            assertThat(redisView.sync.pttl(bodyKey)).as("the body outlives its record")
                    .isGreaterThan(redisView.sync.pttl(recordKey));

            assertThat(await(store.delete(id))).isTrue();
            assertThat(redisView.keysOf(id)).as("delete leaves no body behind, only the fence tombstone")
                    .containsExactly(recordKey);
            assertThat(redisView.sync.get(recordKey)).startsWith("3 T ").endsWith("\n");
        }
    }

    @Test
    void aLargeCompleteByAnOwnerThatLostItsLeaseIsRefusedAndLeavesNoStagedBody() {
        claim(FINGERPRINT, OWNER, false);
        letTimePass(lease());
        long first = fence;
            fence = fenceOf(await(store.claim(id, FINGERPRINT, OTHER_OWNER, lease(), true, ttl())), true);
            assertThat(fence).isGreaterThan(first);

        StoredResponse late = new StoredResponse(200, List.of(), DeterministicBytes.bytes(2 * BodyChunks.CHUNK_SIZE + 1), false);
        assertThat(await(store.complete(id, OWNER, first, late, ttl()))).isFalse();

        try (Inspector redisView = new Inspector()) {
            assertThat(redisView.keysOf(id)).containsExactly(PREFIX + "{" + id + "}");
        }
        assertThat(((InFlight) record()).owner()).isEqualTo(OTHER_OWNER);
    }

    /** A plain client to look at what the store wrote, as an operator would. */
    private static final class Inspector implements AutoCloseable {

        private final RedisClient client = RedisClient.create(redis.uri());
        private final StatefulRedisConnection<String, String> connection = client.connect();
        private final RedisCommands<String, String> sync = connection.sync();

        List<String> keysOf(String id) {
            return sync.keys(PREFIX + "{" + id + "}*");
        }

        @Override
        public void close() {
            connection.close();
            client.shutdown();
        }
    }

    @Test
    void pingAnswersFalseAfterClose() {
        store.close();

        assertThat(await(store.ping())).isFalse();
    }

    private static RedisIdempotencyStore newStore() {
        return new RedisIdempotencyStore(redis.uri(), PREFIX, COMMAND_TIMEOUT);
    }
}
