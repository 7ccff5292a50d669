package io.idemgate.gateway.store.redis;

import static io.idemgate.gateway.store.redis.RecordCodec.bytes;

import io.idemgate.gateway.idempotency.BodyChunks;
import io.idemgate.gateway.idempotency.IdempotencyRecord;
import io.idemgate.gateway.idempotency.IdempotencyRecord.Completed;
import io.idemgate.gateway.idempotency.IdempotencyRecord.OutcomeUnknown;
import io.idemgate.gateway.idempotency.StoredBody;
import io.idemgate.gateway.idempotency.StoredResponse;
import io.idemgate.gateway.store.ClaimResult;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * The record operations as Redis sees them: which script (or plain command) each one is, with which keys and
 * arguments, and how its reply is read. Scripts and format: docs/store-format.md.
 *
 * <p>Threading: immutable, any thread; each call runs on the connection {@code redis} gives at that moment.
 */
final class RecordScripts {

    /** A staged body lives this long unless its complete adopts it: enough to write and complete it. */
    static final Duration STAGING_TTL = Duration.ofMinutes(5);
    /** A body key outlives its record by this much, so a replay that began just before expiry finishes. */
    static final Duration BODY_GRACE = Duration.ofMinutes(1);

    private static final byte[] EMPTY = new byte[0];
    private static final RedisScript CLAIM = RedisScript.load("claim", false, ScriptOutputType.MULTI);
    private static final RedisScript RENEW = RedisScript.load("renew", true, ScriptOutputType.INTEGER);
    private static final RedisScript COMPLETE = RedisScript.load("complete", true, ScriptOutputType.INTEGER);
    private static final RedisScript RELEASE = RedisScript.load("release", true, ScriptOutputType.INTEGER);
    private static final RedisScript MARK_UNKNOWN = RedisScript.load("mark-unknown", true, ScriptOutputType.INTEGER);
    private static final RedisScript DELETE = RedisScript.load("delete", false, ScriptOutputType.INTEGER);
    private static final RedisScript STAGE = RedisScript.load("stage", false, ScriptOutputType.INTEGER);
    private static final RedisScript IN_FLIGHT = RedisScript.load("in-flight", false, ScriptOutputType.INTEGER);

    private final RecordKeys keys;
    private final byte[] fenceRetention;
    private final Supplier<RedisClusterAsyncCommands<byte[], byte[]>> redis;
    private final ScriptFreeClaims scriptFree;

    RecordScripts(RecordKeys keys, Duration fenceRetention, Supplier<RedisClusterAsyncCommands<byte[], byte[]>> redis,
                  ScriptFreeClaims scriptFree) {
        this.keys = Objects.requireNonNull(keys, "keys");
        this.scriptFree = Objects.requireNonNull(scriptFree, "scriptFree");
        this.fenceRetention = bytes(fenceRetention.toMillis());
        this.redis = Objects.requireNonNull(redis, "redis");
    }

    /**
     * Without a script where {@link ScriptFreeClaims} allows it: one {@code SET <record> <in-flight record> NX GET
     * PX lease+unknown-ttl}, which claims a key that holds nothing (no record, no fence tombstone) with a fence
     * from Redis's clock, and otherwise answers the key's value like a GET. Else a plain GET first. Then, on the
     * value read: a completed record (or an outcome-unknown one this claim may not take over) is answered from
     * it, with no script, as the claim script would answer it (such a record only changes by expiring or being
     * purged). Anything else (in flight, a tombstone, no record after a GET, a record of format 1 or 2) goes to
     * the claim script, which decides atomically.
     */
    CompletableFuture<ClaimResult> claim(String id, String fingerprint, String owner, Duration lease,
                                         boolean takeOverUnknown, Duration unknownTtl) {
        PackedRecord.word(fingerprint, "fingerprint");
        PackedRecord.word(owner, "owner");
        RedisClusterAsyncCommands<byte[], byte[]> commands = redis.get();
        byte[] key = keys.record(id);
        long fence = scriptFree.fence();
        if (fence < 0) {
            return commands.get(key).toCompletableFuture()
                    .handle((value, failure) -> afterRead(commands, id, value, failure, fingerprint, owner, lease,
                            takeOverUnknown, unknownTtl))
                    .thenCompose(claimed -> claimed);
        }
        long leaseStart = scriptFree.leaseStartMillis();
        if (leaseStart <= 0) {
            leaseStart = fence / 1_000;
        }
        byte[] record = PackedRecord.inFlight(fence, Math.min(leaseStart, fence / 1_000), lease.toMillis(),
                unknownTtl.toMillis(), fingerprint, owner);
        return commands.setGet(key, record, new SetArgs().nx().px(lease.toMillis() + unknownTtl.toMillis()))
                .toCompletableFuture()
                .handle((value, failure) -> {
                    if (failure == null && value == null) {
                        return CompletableFuture.<ClaimResult>completedFuture(new ClaimResult.Claimed(fence, false));
                    }
                    if (failure != null && scriptFree.refused(failure)) {
                        return commands.get(key).toCompletableFuture()
                                .handle((read, readFailure) -> afterRead(commands, id, read, readFailure, fingerprint,
                                        owner, lease, takeOverUnknown, unknownTtl))
                                .thenCompose(claimed -> claimed);
                    }
                    return afterRead(commands, id, value, failure, fingerprint, owner, lease, takeOverUnknown,
                            unknownTtl);
                })
                .thenCompose(claimed -> claimed);
    }

    /** What a claim does with the key's value it read (a GET, or a SET NX GET that found the key taken). */
    private CompletableFuture<ClaimResult> afterRead(RedisClusterAsyncCommands<byte[], byte[]> commands, String id,
                                                     byte[] value, Throwable failure, String fingerprint,
                                                     String owner, Duration lease, boolean takeOverUnknown,
                                                     Duration unknownTtl) {
        if (failure != null && !wrongType(failure)) {
            return CompletableFuture.failedFuture(failure);
        }
        // An in-flight record whose lease surely ran when read is answered as the script would (a duplicate waits);
        // one that may have lapsed needs the server's clock: left to the script.
        if (failure == null && value != null && scriptFree.leaseRunning(PackedRecord.leaseUntil(value))) {
            return CompletableFuture.completedFuture(new ClaimResult.Existing(PackedRecord.decode(value, this::body)));
        }
        if (failure == null && value != null && PackedRecord.settled(value)) {
            IdempotencyRecord record = PackedRecord.decode(value, this::body);
            if (record instanceof Completed || record instanceof OutcomeUnknown unknown
                    && !(takeOverUnknown && unknown.fingerprint().equals(fingerprint))) {
                return CompletableFuture.completedFuture(new ClaimResult.Existing(record));
            }
        }
        return CLAIM.<List<Object>>run(commands, keys.recordAndFence(id), bytes(fingerprint), bytes(owner),
                        bytes(lease.toMillis()), bytes(takeOverUnknown ? "1" : "0"), bytes(unknownTtl.toMillis()),
                        keys.channel(), bytes(id))
                .thenApply(this::claimResult);
    }

    CompletableFuture<Boolean> renew(String id, String owner, long fence, Duration lease) {
        return ownerWrite(RENEW, id, bytes(owner), bytes(fence), bytes(lease.toMillis()));
    }

    /**
     * A body of one chunk goes inline in the record, so a replay is one GET. A larger one is first
     * staged chunk by chunk (one command each, pipelined on the connection) under a key of this attempt's
     * own; the complete script then checks ownership and adopts it, or drops it if refused.
     */
    CompletableFuture<Boolean> complete(String id, String owner, long fence, StoredResponse response,
                                        Duration ttl) {
        if (!(response.body() instanceof BodyChunks body)) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("complete needs a body in memory"));
        }
        if (body.chunkCount() <= 1) {
            return ownerWrite(COMPLETE, id, bytes(owner), bytes(fence), bytes(ttl.toMillis()),
                    PackedRecord.completedTail(response, body, null), stamps(ttl));
        }
        byte[] staging = keys.staging(id, owner, fence);
        byte[][] both = {keys.record(id), staging};
        byte[][] args = {bytes(owner), bytes(fence), bytes(ttl.toMillis()),
                PackedRecord.completedTail(response, body, RecordCodec.utf8(staging)), stamps(ttl),
                bytes(body.chunkCount()), bytes(ttl.plus(BODY_GRACE).toMillis())};
        return stage(staging, body)
                .thenCompose(staged -> COMPLETE.<Long>run(redis.get(), both, args))
                .thenApply(written -> written == 1);
    }

    /**
     * {@code completed expires} (ms) for a completed record's header, from the estimate of Redis's clock (never
     * ahead of it), or empty without one: the script then asks {@code TIME}.
     */
    private byte[] stamps(Duration ttl) {
        long now = scriptFree.nowMillis();
        return now <= 0 ? EMPTY : bytes(now + " " + (now + ttl.toMillis()));
    }

    CompletableFuture<Boolean> release(String id, String owner, long fence) {
        return RELEASE.<Long>run(redis.get(), keys.record(id), bytes(owner), bytes(fence), keys.channel(),
                bytes(id), fenceRetention).thenApply(written -> written == 1);
    }

    CompletableFuture<Boolean> markOutcomeUnknown(String id, String owner, long fence, String reason, Duration ttl) {
        return ownerWrite(MARK_UNKNOWN, id, bytes(owner), bytes(fence), bytes(ttl.toMillis()), keys.channel(),
                bytes(id), bytes(reason));
    }

    /** One GET (atomic by itself, no script); a record of format 1 or 2 is a hash, read by one HGETALL. */
    CompletableFuture<Optional<IdempotencyRecord>> get(String id) {
        RedisClusterAsyncCommands<byte[], byte[]> commands = redis.get();
        byte[] key = keys.record(id);
        return commands.get(key).toCompletableFuture()
                .handle((value, failure) -> {
                    if (failure == null) {
                        // A fence tombstone is no record.
                        return CompletableFuture.completedFuture(value == null || PackedRecord.tombstone(value)
                                ? Optional.<IdempotencyRecord>empty() : Optional.of(PackedRecord.decode(value, this::body)));
                    }
                    if (!wrongType(failure)) {
                        return CompletableFuture.<Optional<IdempotencyRecord>>failedFuture(failure);
                    }
                    return commands.hgetall(key).toCompletableFuture()
                            .thenApply(hash -> hash.isEmpty() ? Optional.<IdempotencyRecord>empty()
                                    : Optional.of(RecordCodec.decode(RecordCodec.stringKeys(hash), this::body)));
                })
                .thenCompose(read -> read);
    }

    CompletableFuture<Boolean> delete(String id) {
        return DELETE.<Long>run(redis.get(), keys.recordAndFence(id), keys.channel(), bytes(id), fenceRetention)
                .thenApply(deleted -> deleted == 1);
    }

    /** Whether a waiter should keep waiting; marks the record watched, so its next change is published. */
    CompletableFuture<Boolean> inFlight(String id) {
        return IN_FLIGHT.<Long>run(redis.get(), keys.record(id)).thenApply(running -> running == 1);
    }

    /** Every chunk in flight at once (Lettuce pipelines them); done when Redis has acknowledged them all. */
    private CompletableFuture<Void> stage(byte[] staging, BodyChunks body) {
        byte[] ttl = bytes(STAGING_TTL.toMillis());
        CompletableFuture<?>[] writes = new CompletableFuture<?>[body.chunkCount()];
        for (int i = 0; i < writes.length; i++) {
            writes[i] = STAGE.run(redis.get(), staging, bytes(i), body.chunkNow(i), ttl);
        }
        return CompletableFuture.allOf(writes);
    }

    private CompletableFuture<Boolean> ownerWrite(RedisScript script, String id, byte[]... args) {
        return script.<Long>run(redis.get(), keys.record(id), args).thenApply(written -> written == 1);
    }

    private StoredBody body(byte[] bodyKey, int chunks, long length) {
        // Built where the claim's reply is handled: on a gateway loop, that loop's connection fetches the chunks.
        return new RedisBody(redis.get(), bodyKey, chunks, length);
    }

    private ClaimResult claimResult(List<Object> reply) {
        String kind = RecordCodec.utf8((byte[]) reply.get(0));
        return switch (kind) {
            case "claimed" -> new ClaimResult.Claimed(Long.parseLong(RecordCodec.utf8((byte[]) reply.get(1))),
                    "1".equals(RecordCodec.utf8((byte[]) reply.get(2))));
            case "existing" -> new ClaimResult.Existing(PackedRecord.decode((byte[]) reply.get(1), this::body));
            // A record of format 1 or 2, as its fields.
            case "legacy" -> new ClaimResult.Existing(RecordCodec.decode(RecordCodec.fields(reply, 1), this::body));
            default -> throw new IllegalStateException("unexpected claim reply " + kind);
        };
    }

    /** A record of format 1 or 2 is a hash: a GET on it fails with WRONGTYPE. */
    private static boolean wrongType(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        return cause instanceof RedisCommandExecutionException && cause.getMessage() != null
                && cause.getMessage().startsWith("WRONGTYPE");
    }
}
