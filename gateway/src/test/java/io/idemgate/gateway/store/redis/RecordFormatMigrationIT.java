package io.idemgate.gateway.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.idemgate.gateway.idempotency.BodyChunks;
import io.idemgate.gateway.idempotency.IdempotencyRecord.Completed;
import io.idemgate.gateway.idempotency.IdempotencyRecord.InFlight;
import io.idemgate.gateway.idempotency.IdempotencyRecord.OutcomeUnknown;
import io.idemgate.gateway.idempotency.StoredResponse;
import io.idemgate.gateway.store.ClaimResult;
import io.idemgate.gateway.store.ClaimResult.Claimed;
import io.idemgate.gateway.store.ClaimResult.Existing;
import io.idemgate.gateway.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Records of formats 1 and 2 (one hash per record), as the previous release's scripts wrote them
 * ({@code src/test/resources/redis-format2/}, copied from that release) or as an operator's
 * {@code redis-cli HSET} would, read by this release (format 3, docs/store-format.md, "Migration"): a
 * completed one is replayed until it expires, never executed again; an in-flight one is left to its owner
 * until a claim converts or takes it over; a purge removes its body key too.
 */
class RecordFormatMigrationIT {

    private static final String PREFIX = "idemgate-migration:";
    private static final String FP = "fp-a";
    private static final String CHANNEL = PREFIX + "events";
    private static RedisServer redis;

    private RedisIdempotencyStore store;
    private RedisClient client;
    private StatefulRedisConnection<String, String> connection;
    private RedisCommands<String, String> old;
    private String id;

    @BeforeAll
    static void startRedis() {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() {
        redis.stop();
    }

    @BeforeEach
    void open() {
        store = new RedisIdempotencyStore(redis.uri(), PREFIX, Duration.ofSeconds(2));
        client = RedisClient.create(redis.uri());
        connection = client.connect();
        old = connection.sync();
        id = "old-" + UUID.randomUUID();
    }

    @AfterEach
    void close() {
        store.close();
        connection.close();
        client.shutdown();
    }

    @Test
    void aCompletedRecordOfFormatOneIsReplayedNeverExecutedAgain() {
        long fence = oldClaim("gw-old/1", 30_000);
        assertThat(oldComplete(fence, "gw-old/1", "paid")).isEqualTo(1L);
        assertThat(old.type(key())).isEqualTo("hash");
        assertThat(old.hget(key(), "v")).isEqualTo("1");

        ClaimResult retry = await(store.claim(id, FP, "gw-new/1", Duration.ofSeconds(30), true, Duration.ofMinutes(1)));

        Completed completed = (Completed) ((Existing) retry).record();
        assertThat(completed.fence()).isEqualTo(fence);
        assertThat(completed.response().status()).isEqualTo(201);
        assertThat(completed.response().headers()).containsExactly(Map.entry("Content-Type", "text/plain"));
        assertThat(body(completed.response())).isEqualTo("paid");
        assertThat(await(store.get(id))).get().isInstanceOf(Completed.class);
        assertThat(old.type(key())).as("read as it is, not rewritten").isEqualTo("hash");
    }

    @Test
    void aCompletedRecordWrittenByHandLikeRedisCliIsReplayed() {
        old.hset(key(), Map.of("v", "1", "state", "completed", "fp", FP, "fence", "7", "created", "1764230400000",
                "status", "200", "headers", "[[\"Content-Type\",\"application/json\"]]", "body", "{\"ok\":true}",
                "omitted", "0", "completed", "1764230400187"));
        old.hset(key(), "expires", "1764316800187");
        old.pexpire(key(), 60_000);

        ClaimResult retry = await(store.claim(id, FP, "gw-new/1", Duration.ofSeconds(30), false, Duration.ofMinutes(1)));

        Completed completed = (Completed) ((Existing) retry).record();
        assertThat(completed.fence()).isEqualTo(7);
        assertThat(body(completed.response())).isEqualTo("{\"ok\":true}");
    }

    @Test
    void aChunkedRecordOfFormatTwoIsReplayedChunkByChunkAndPurgedWithItsBody() {
        long fence = oldClaim("gw-old/2", 30_000);
        String staging = PREFIX + "{" + id + "}:body:" + fence + ":gw-old/2";
        String chunk = "x".repeat(BodyChunks.CHUNK_SIZE);
        for (int i = 0; i < 3; i++) {
            old.eval(script("stage"), ScriptOutputType.INTEGER, new String[] {staging}, Integer.toString(i),
                    i < 2 ? chunk : "tail", "300000");
        }
        long length = 2L * BodyChunks.CHUNK_SIZE + 4;
        assertThat((Long) old.eval(script("owner") + script("complete"), ScriptOutputType.INTEGER,
                new String[] {key(), staging}, "gw-old/2", Long.toString(fence), "60000", CHANNEL, id, "200", "[]", "",
                "0", "3", Long.toString(length), "120000")).isEqualTo(1L);
        assertThat(old.hget(key(), "v")).isEqualTo("2");

        Completed completed = (Completed) ((Existing) await(store.claim(id, FP, "gw-new/2", Duration.ofSeconds(30),
                false, Duration.ofMinutes(1)))).record();
        assertThat(completed.response().body().chunkCount()).isEqualTo(3);
        assertThat(completed.response().body().length()).isEqualTo(length);
        assertThat(body(completed.response())).isEqualTo(chunk + chunk + "tail");

        assertThat(await(store.delete(id))).isTrue();
        assertThat(old.keys(PREFIX + "{" + id + "}*")).as("body key gone, fence tombstone left in the record's key")
                .containsExactly(key());
        assertThat(old.get(key())).isEqualTo("3 T " + fence + "\n");
    }

    @Test
    void anInFlightRecordOfFormatOneStaysItsOwnersAndIsWatchedTheOldWay() {
        long fence = oldClaim("gw-old/3", 30_000);

        ClaimResult duplicate = await(store.claim(id, FP, "gw-new/3", Duration.ofSeconds(30), true, Duration.ofMinutes(1)));
        assertThat(((InFlight) ((Existing) duplicate).record()).owner()).isEqualTo("gw-old/3");
        // This release never writes for an attempt it did not claim: an owner call on a hash is refused.
        assertThat(await(store.complete(id, "gw-old/3", fence, response("no"), Duration.ofMinutes(1)))).isFalse();
        assertThat(old.type(key())).isEqualTo("hash");

        CompletableFuture<Void> waiter = store.awaitChange(id);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
                .until(() -> "1".equals(old.hget(key(), "watched")));
        // The old owner completes with its own scripts, which publish to a watched record.
        assertThat(oldComplete(fence, "gw-old/3", "paid")).isEqualTo(1L);
        assertThat(waiter).succeedsWithin(Duration.ofSeconds(5));
        assertThat(body(((Completed) ((Existing) await(store.claim(id, FP, "gw-new/4", Duration.ofSeconds(30),
                true, Duration.ofMinutes(1)))).record()).response())).isEqualTo("paid");
    }

    @Test
    void aLapsedInFlightRecordOfFormatOneIsTakenOverInFormatThreeWithAHigherFence() {
        long fence = oldClaim("gw-old/5", 100);
        sleep(Duration.ofMillis(300));

        ClaimResult takeover = await(store.claim(id, FP, "gw-new/5", Duration.ofSeconds(30), true, Duration.ofMinutes(1)));

        assertThat(((Claimed) takeover).tookOver()).isTrue();
        assertThat(((Claimed) takeover).fence()).isGreaterThan(fence);
        assertThat(old.type(key())).isEqualTo("string");
        long newFence = ((Claimed) takeover).fence();
        assertThat(await(store.complete(id, "gw-new/5", newFence, response("fresh"), Duration.ofMinutes(1)))).isTrue();
        assertThat(body(((Completed) await(store.get(id)).orElseThrow()).response())).isEqualTo("fresh");
    }

    @Test
    void aLapsedInFlightRecordOfFormatOneWithoutTakeoverBecomesOutcomeUnknown() {
        long fence = oldClaim("gw-old/6", 100);
        sleep(Duration.ofMillis(300));

        ClaimResult retry = await(store.claim(id, FP, "gw-new/6", Duration.ofSeconds(30), false, Duration.ofMinutes(1)));

        OutcomeUnknown unknown = (OutcomeUnknown) ((Existing) retry).record();
        assertThat(unknown.fence()).isEqualTo(fence);
        assertThat(unknown.reason()).isEqualTo("lease expired");
        assertThat(old.pttl(key())).isPositive();
        assertThat(await(store.get(id))).get().isEqualTo(unknown);
    }

    private long oldClaim(String owner, long leaseMillis) {
        List<String> reply = old.eval(script("claim"), ScriptOutputType.MULTI,
                new String[] {key(), PREFIX + "{" + id + "}:fence"}, FP, owner, Long.toString(leaseMillis), "0",
                "60000", CHANNEL, id);
        assertThat(reply.get(0)).isEqualTo("claimed");
        return Long.parseLong(reply.get(1));
    }

    private Long oldComplete(long fence, String owner, String body) {
        return old.eval(script("owner") + script("complete"), ScriptOutputType.INTEGER, new String[] {key()}, owner,
                Long.toString(fence), "60000", CHANNEL, id, "201", "[[\"Content-Type\",\"text/plain\"]]", body, "0");
    }

    private String key() {
        return PREFIX + "{" + id + "}";
    }

    /** A script of the previous release (formats 1 and 2). */
    private static String script(String name) {
        try (InputStream in = RecordFormatMigrationIT.class.getResourceAsStream("/redis-format2/" + name + ".lua")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static StoredResponse response(String body) {
        return new StoredResponse(201, List.of(), body.getBytes(StandardCharsets.UTF_8), false);
    }

    private static String body(StoredResponse response) {
        return new String(response.body().loadAll().toCompletableFuture().join().toByteArray(), StandardCharsets.UTF_8);
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static <T> T await(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("store operation failed or hung", e);
        }
    }
}
