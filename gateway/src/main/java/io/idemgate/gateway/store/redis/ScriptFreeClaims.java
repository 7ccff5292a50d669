package io.idemgate.gateway.store.redis;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a claim may go without a script: one {@code SET <record> <in-flight record> NX GET PX …} writes the
 * claim when the key holds nothing, and otherwise answers the key's value as a {@code GET} would (so a replay
 * costs the same one command). Safe only when "the key holds nothing" means "no fence to stay above": fence
 * tombstones live in the record's own key ({@code 3 T fence}), so a tombstone makes the {@code SET} fail. On,
 * when all of these hold (else the claim is the {@code GET} and {@code claim.lua} as before):
 * <ul>
 * <li>Redis accepts {@code SET … NX GET} (7.0 or later; an older one answers a syntax error once, and this
 *     stays off);</li>
 * <li>no fence tombstone of the previous release (a key of its own, {@code …:fence}, which {@code SET NX} cannot
 *     see) can still exist: the marker key {@code <prefix>tombstones-in-records-since} holds when this release
 *     first ran on this Redis ({@code 0}: it found the database empty), and such tombstones expire within
 *     {@code fence-retention} of that;</li>
 * <li>there is a fresh estimate of Redis's clock ({@link RedisClock}) for the fence and the lease.</li>
 * </ul>
 * A change of state is logged and shown as {@code idemgate_store_script_free_claims}.
 *
 * <p>Threading: {@link #fence()} and {@link #refused} any thread; {@link #refresh} one thread at a time.
 */
final class ScriptFreeClaims {

    private static final Logger log = LoggerFactory.getLogger(ScriptFreeClaims.class);

    private final RedisClock clock = new RedisClock();
    private final byte[] marker;
    private final long retentionMillis;
    private volatile boolean supported = true;
    /** Redis ms from which tombstones are in records (0: from the start), -1 while not read yet. */
    private volatile long since = -1;
    private volatile String reported = "";

    ScriptFreeClaims(RecordKeys keys, Duration fenceRetention) {
        this.marker = keys.tombstoneMarker();
        this.retentionMillis = fenceRetention.toMillis();
    }

    /** The fence (Redis's clock in µs, estimated) for a claim without a script now, or -1: use the script. */
    long fence() {
        long from = since;
        if (!supported || from < 0) {
            return -1;
        }
        long micros = clock.micros();
        if (micros < 0 || from > 0 && from + retentionMillis > micros / 1_000) {
            return -1;
        }
        return micros;
    }

    /** The lease start (ms) for a claim without a script: Redis's clock estimated never ahead of it. */
    long leaseStartMillis() {
        return clock.lowMicros() / 1_000;
    }

    /**
     * Redis's clock (ms) estimated never ahead of it, or 0 without an estimate: a completion's stamps. Unlike a
     * claim's, they need no marker (the fence is not involved).
     */
    long nowMillis() {
        long low = clock.lowMicros();
        return low < 0 ? 0 : low / 1_000;
    }

    /**
     * Whether an in-flight record read by a claim surely had its lease running when it was read (lease end past
     * an estimate never behind Redis's clock): then the answer is the record, as {@code claim.lua} would give it.
     * Otherwise (perhaps lapsed, or no estimate) the script decides by the server's clock.
     */
    boolean leaseRunning(long leaseUntilMillis) {
        long micros = clock.micros();
        return micros >= 0 && leaseUntilMillis > micros / 1_000;
    }

    boolean on() {
        return fence() >= 0;
    }

    /**
     * Whether {@code failure} of a {@code SET … NX GET} means "ask the old way" rather than a store failure:
     * a syntax error (Redis older than 7.0: off from now on) or OOM (a full Redis with {@code noeviction} refuses
     * the write command even where it would write nothing; the {@code GET} still answers a replay).
     */
    boolean refused(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        if (!(cause instanceof RedisCommandExecutionException) || cause.getMessage() == null) {
            return false;
        }
        if (cause.getMessage().startsWith("ERR syntax error")) {
            supported = false;
            report();
            return true;
        }
        return cause.getMessage().startsWith("OOM");
    }

    /** A new clock sample and, until it is known, the marker; then logs a change of state. */
    CompletableFuture<Void> refresh(RedisClusterAsyncCommands<byte[], byte[]> redis) {
        CompletableFuture<Void> sampled = clock.sample(redis);
        CompletableFuture<Void> marked = since >= 0 ? CompletableFuture.completedFuture(null) : readMarker(redis);
        return CompletableFuture.allOf(sampled, marked).whenComplete((ignored, failure) -> report());
    }

    /** A link reconnected (perhaps to a promoted replica with another clock): no estimate until the next sample. */
    void forgetClock() {
        clock.forget();
    }

    /**
     * The first instance of this release on a Redis writes the marker: 0 if the database is empty (no tombstone
     * of the previous release can exist), else Redis's time now. Whoever wrote first wins ({@code SET NX}).
     */
    private CompletableFuture<Void> readMarker(RedisClusterAsyncCommands<byte[], byte[]> redis) {
        return redis.get(marker).toCompletableFuture().thenCompose(held -> {
            if (held != null) {
                return CompletableFuture.completedFuture(held);
            }
            return redis.dbsize().toCompletableFuture().thenCombine(redis.time(), (keys, time) -> {
                long now = Long.parseLong(new String(time.get(0), StandardCharsets.US_ASCII)) * 1_000
                        + Long.parseLong(new String(time.get(1), StandardCharsets.US_ASCII)) / 1_000;
                return RecordCodec.bytes(keys == 0 ? 0 : now);
            }).thenCompose(value -> redis.setnx(marker, value).toCompletableFuture()
                    .thenCompose(set -> redis.get(marker).toCompletableFuture()));
        }).thenAccept(value -> since = Long.parseLong(new String(value, StandardCharsets.US_ASCII)));
    }

    private void report() {
        long from = since;
        String state;
        if (!supported) {
            state = "off: Redis refused SET … NX GET (older than 7.0); every claim runs claim.lua";
        } else if (from < 0) {
            state = "";
        } else if (from > 0 && (clock.micros() < 0 || from + retentionMillis > clock.micros() / 1_000)) {
            state = "off until " + Instant.ofEpochMilli(from + retentionMillis) + ": fence tombstones of the "
                    + "previous release (keys of their own) may still exist; claims run claim.lua";
        } else {
            state = "on: a claim is one SET … NX GET, claim.lua only for a key that holds a record or a tombstone";
        }
        if (!state.isEmpty() && !state.equals(reported)) {
            reported = state;
            log.info("redis store, claims without a script: {}", state);
        }
    }
}
