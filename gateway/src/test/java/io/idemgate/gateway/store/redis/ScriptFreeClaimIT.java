package io.idemgate.gateway.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.idemgate.gateway.idempotency.IdempotencyRecord.Completed;
import io.idemgate.gateway.idempotency.IdempotencyRecord.InFlight;
import io.idemgate.gateway.idempotency.StoredResponse;
import io.idemgate.gateway.store.ClaimResult;
import io.idemgate.gateway.store.ClaimResult.Claimed;
import io.idemgate.gateway.store.ClaimResult.Existing;
import io.idemgate.gateway.store.StoreHealth;
import io.idemgate.gateway.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Claims without a script (docs/store-format.md, "Claims without a script"): a key holding nothing is claimed
 * by one {@code SET … NX GET} with a fence from Redis's clock; a fence tombstone in the record's key makes the
 * {@code SET} fail, so the script claims above it; a tombstone of the previous release (a key of its own) keeps
 * every claim on the script until it may have expired. Counted by Redis ({@code INFO commandstats}).
 */
class ScriptFreeClaimIT {

    private static final String PREFIX = "idemgate-direct:";
    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final Duration UNKNOWN_TTL = Duration.ofMinutes(1);

    private RedisServer redis;
    private RedisClient client;
    private StatefulRedisConnection<String, String> connection;
    private RedisCommands<String, String> view;
    private RedisIdempotencyStore store;
    private final StoreHealth health = new StoreHealth();
    private final String id = "direct-" + UUID.randomUUID();

    @BeforeEach
    void start() {
        redis = RedisServer.start();
        client = RedisClient.create(redis.uri());
        connection = client.connect();
        view = connection.sync();
    }

    @AfterEach
    void stop() {
        if (store != null) {
            store.close();
        }
        connection.close();
        client.shutdown();
        redis.stop();
    }

    @Test
    void aNewKeyIsClaimedByOneSetWithAFenceFromRedissClockAndReplayedByTheSameCommand() {
        openStore();
        assertThat(health.scriptFreeClaims()).as("empty Redis: no tombstone of the previous release").isTrue();
        assertThat(view.get(PREFIX + "tombstones-in-records-since")).isEqualTo("0");
        long before = redisMicros();
        view.configResetstat();

        long fence = ((Claimed) await(store.claim(id, "fp-a", "gw-a/1", LEASE, false, UNKNOWN_TTL))).fence();

        assertThat(calls("set")).isEqualTo(1);
        assertThat(calls("evalsha") + calls("eval") + calls("get")).as("no script, no GET").isZero();
        assertThat(fence).as("at or ahead of Redis's clock").isGreaterThanOrEqualTo(before)
                .isLessThan(redisMicros() + 1_000_000);
        String[] header = view.get(key()).split(" ");
        assertThat(header[0] + header[1] + header[2]).isEqualTo("3I" + fence);
        long created = Long.parseLong(header[3]);
        assertThat(created).as("the lease's start: never ahead of Redis's clock").isBetween(fence / 1_000 - 50,
                fence / 1_000);
        assertThat(Long.parseLong(header[4])).isEqualTo(created + LEASE.toMillis());
        assertThat(List.of(header).subList(5, header.length))
                .containsExactly(Long.toString(UNKNOWN_TTL.toMillis()), "0", "fp-a", "gw-a/1\n");
        assertThat(view.pttl(key())).isBetween(LEASE.plus(UNKNOWN_TTL).toMillis() - 5_000,
                LEASE.plus(UNKNOWN_TTL).toMillis());

        view.configResetstat();
        ClaimResult duplicate = await(store.claim(id, "fp-a", "gw-c/1", LEASE, true, UNKNOWN_TTL));
        assertThat(((InFlight) ((Existing) duplicate).record()).owner()).isEqualTo("gw-a/1");
        assertThat(calls("evalsha")).as("a lease surely running is answered without the script").isZero();

        assertThat(await(store.complete(id, "gw-a/1", fence, new StoredResponse(201, List.of(),
                "paid".getBytes(StandardCharsets.UTF_8), false), Duration.ofMinutes(5)))).isTrue();
        view.configResetstat();
        ClaimResult replay = await(store.claim(id, "fp-a", "gw-b/1", LEASE, false, UNKNOWN_TTL));
        assertThat(((Completed) ((Existing) replay).record()).fence()).isEqualTo(fence);
        assertThat(calls("set")).as("the replay's one command").isEqualTo(1);
        assertThat(calls("evalsha") + calls("get")).isZero();
        assertThat(view.get(key())).as("the record is left as it was").startsWith("3 C " + fence + " ");
    }

    @Test
    void aReleasedKeysTombstoneInTheRecordsKeyIsClaimedAboveByTheScript() {
        openStore();
        long first = ((Claimed) await(store.claim(id, "fp-a", "gw-a/1", LEASE, false, UNKNOWN_TTL))).fence();
        assertThat(await(store.release(id, "gw-a/1", first))).isTrue();
        assertThat(view.get(key())).isEqualTo("3 T " + first + "\n");
        assertThat(view.exists(key() + ":fence")).as("no tombstone key of its own any more").isZero();
        assertThat(await(store.get(id))).as("a tombstone is no record").isEmpty();

        // As if Redis's clock had stepped back below the last fence: the tombstone alone keeps fences growing.
        long ahead = first + 3_600_000_000L;
        view.set(key(), "3 T " + ahead + "\n");
        view.configResetstat();
        long next = ((Claimed) await(store.claim(id, "fp-a", "gw-a/2", LEASE, false, UNKNOWN_TTL))).fence();

        assertThat(next).isEqualTo(ahead + 1);
        assertThat(calls("set")).as("the SET NX that met the tombstone, the script's SET").isEqualTo(2);
        assertThat(calls("evalsha")).isEqualTo(1);

        assertThat(await(store.delete(id))).isTrue();
        assertThat(view.get(key())).as("a purge leaves the fence in the record's key").isEqualTo("3 T " + next + "\n");
        assertThat(await(store.delete(id))).as("a tombstone is nothing to purge").isFalse();
    }

    @Test
    void aTombstoneOfThePreviousReleaseKeepsClaimsOnTheScriptUntilItMayHaveExpired() {
        long ahead = redisMicros() + 3_600_000_000L;
        // The previous release's tombstone: a key of its own, which a SET NX of the record cannot see.
        view.set(key() + ":fence", Long.toString(ahead), io.lettuce.core.SetArgs.Builder.px(86_400_000));
        openStore();
        assertThat(health.scriptFreeClaims()).as("the database was not empty").isFalse();
        assertThat(Long.parseLong(view.get(PREFIX + "tombstones-in-records-since")))
                .isCloseTo(redisMicros() / 1_000, org.assertj.core.data.Offset.offset(60_000L));

        long fence = ((Claimed) await(store.claim(id, "fp-a", "gw-a/1", LEASE, false, UNKNOWN_TTL))).fence();

        assertThat(fence).isEqualTo(ahead + 1);
        assertThat(await(store.release(id, "gw-a/1", fence))).isTrue();
        assertThat(await(store.delete(id))).isFalse();
        assertThat(view.exists(key() + ":fence")).as("a purge moves it into the record's key").isZero();
        assertThat(view.get(key())).isEqualTo("3 T " + fence + "\n");
    }

    @Test
    void aMarkerOlderThanTheFenceRetentionTurnsScriptFreeClaimsOn() {
        view.set(PREFIX + "tombstones-in-records-since", Long.toString(redisMicros() / 1_000 - 86_400_001));
        openStore();
        assertThat(health.scriptFreeClaims()).isTrue();
        view.configResetstat();
        await(store.claim(id, "fp-a", "gw-a/1", LEASE, false, UNKNOWN_TTL));
        assertThat(calls("evalsha")).isZero();
    }

    private void openStore() {
        store = new RedisIdempotencyStore(redis.uri(), PREFIX, Duration.ofSeconds(2),
                RedisStoreSettings.DEFAULTS, health);
    }

    private String key() {
        return PREFIX + "{" + id + "}";
    }

    private long redisMicros() {
        List<String> time = view.time();
        return Long.parseLong(time.get(0)) * 1_000_000 + Long.parseLong(time.get(1));
    }

    /** Calls of {@code command} since the last CONFIG RESETSTAT, by Redis's count. */
    private long calls(String command) {
        for (String line : view.info("commandstats").lines().toList()) {
            if (line.startsWith("cmdstat_" + command + ":")) {
                return Long.parseLong(line.substring(line.indexOf("calls=") + 6, line.indexOf(',')));
            }
        }
        return 0;
    }

    private static <T> T await(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
