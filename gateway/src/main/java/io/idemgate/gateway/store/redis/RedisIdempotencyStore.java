package io.idemgate.gateway.store.redis;

import static io.idemgate.gateway.store.redis.RecordCodec.bytes;

import io.idemgate.gateway.idempotency.BodyChunks;
import io.idemgate.gateway.idempotency.IdempotencyRecord;
import io.idemgate.gateway.idempotency.StoredBody;
import io.idemgate.gateway.idempotency.StoredResponse;
import io.idemgate.gateway.store.ClaimResult;
import io.idemgate.gateway.store.IdempotencyStore;
import io.idemgate.gateway.store.StoreHealth;
import io.idemgate.gateway.store.Waiters;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared store: every record is one Redis hash, every state change one Lua script (atomic on the
 * server, timed by the server clock), so many gateway instances see one truth. Format, keys and
 * scripts: docs/store-format.md.
 *
 * <p><b>Connections.</b> Command connections (auto-flush, pipelined by Lettuce; one per gateway event loop,
 * see {@link LoopAffineLinks}) and one pub/sub connection per store, to a standalone Redis, a Sentinel-managed master or a Cluster
 * ({@link StandaloneRedisLink}, {@link ClusterRedisLink}); the logic here is the same for all. Every
 * command fails after {@code commandTimeout}; nothing here blocks, except the constructor (connects)
 * and {@link #close()}, which run at start-up and shutdown.
 *
 * <p><b>Large bodies.</b> A body over one chunk is not one giant value: it is staged chunk by chunk in
 * a hash of its own and read back one HGET per chunk as a replay streams ({@link RedisBody}).
 *
 * <p><b>Waking waiters.</b> The owner's script publishes the record id on {@code <prefix>events};
 * the subscription (made in the constructor) completes local waiters. {@code awaitChange} registers,
 * then checks the record, so a change between the caller's claim and its registration is not missed.
 * A lost message (reconnect) is covered by {@value #RECHECK_MILLIS} ms re-checks on one shared thread.
 *
 * <p><b>Fences</b> grow strictly per key, across takeovers, releases and purges: a claim's fence is above
 * the record's, above the tombstone a release or purge leaves for {@code fenceRetention}, and never below
 * the Redis server's clock in microseconds (so ~1.7e15), which keeps them growing after a tombstone expired.
 * As in the memory store, a late owner whose lease lapsed may still write until a claim converts or takes
 * over the record.
 *
 * <p>Threading: any thread. Built with the gateway's event loops, a call from one of them is written and
 * completed on that loop; otherwise futures complete on Lettuce's I/O threads, so callers hop back.
 */
public final class RedisIdempotencyStore implements IdempotencyStore {

    static final long RECHECK_MILLIS = 1_000;
    /** How often the links are looked at (a few volatile reads): a link's recovery is noticed this soon. */
    static final long LINK_WATCH_MILLIS = 20;
    /** A staged body lives this long unless its complete adopts it: enough to write and complete it. */
    static final Duration STAGING_TTL = Duration.ofMinutes(5);
    /** A body key outlives its record by this much, so a replay that began just before expiry finishes. */
    static final Duration BODY_GRACE = Duration.ofMinutes(1);
    private static final int MAX_RECHECKS_PER_PASS = 1_000;
    private static final long EVICTION_CHECK_SECONDS = 60;
    private static final Logger log = LoggerFactory.getLogger(RedisIdempotencyStore.class);

    static {
        // Lettuce records a JFR event per connection by default; initialising JFR costs seconds at start-up
        // (measured: 6 s of a 6.5 s first connect). Off unless the operator sets -Dio.lettuce.core.jfr=true.
        if (System.getProperty("io.lettuce.core.jfr") == null) {
            System.setProperty("io.lettuce.core.jfr", "false");
        }
    }

    private static final RedisScript CLAIM = RedisScript.load("claim", false, ScriptOutputType.MULTI);
    private static final RedisScript RENEW = RedisScript.load("renew", true, ScriptOutputType.INTEGER);
    private static final RedisScript COMPLETE = RedisScript.load("complete", true, ScriptOutputType.INTEGER);
    private static final RedisScript RELEASE = RedisScript.load("release", true, ScriptOutputType.INTEGER);
    private static final RedisScript MARK_UNKNOWN = RedisScript.load("mark-unknown", true, ScriptOutputType.INTEGER);
    private static final RedisScript DELETE = RedisScript.load("delete", false, ScriptOutputType.INTEGER);
    private static final RedisScript STAGE = RedisScript.load("stage", false, ScriptOutputType.INTEGER);
    private static final RedisScript IN_FLIGHT = RedisScript.load("in-flight", false, ScriptOutputType.INTEGER);

    private final String keyPrefix;
    private final Duration fenceRetention;
    private final StoreHealth health;
    private final int minReplicas;
    private final EvictionPolicyCheck evictionCheck;
    /** Null unless {@code min-replicas} > 0. */
    private final ReplicaAcks acks;
    private final byte[] channel;
    private final LoopAffineLinks links;
    private final Waiters waiters = new Waiters();
    private final ScheduledExecutorService rechecker;
    private volatile Runnable onLinkUp = () -> { };
    private volatile boolean closed;

    /**
     * Connects to a standalone Redis ({@code redis://} or {@code rediss://}, password and database in
     * the URI) or, through Sentinel, to its master ({@code redis-sentinel://…#master}). Blocks until
     * connected and subscribed, and fails when Redis cannot be reached: call it at start-up only.
     */
    public RedisIdempotencyStore(String uri, String keyPrefix, Duration commandTimeout) {
        this(uri, keyPrefix, commandTimeout, Duration.ofMillis(RECHECK_MILLIS));
    }

    /** As above, with another fallback re-check interval (tests use a long one to see pub/sub alone). */
    RedisIdempotencyStore(String uri, String keyPrefix, Duration commandTimeout, Duration recheckInterval) {
        this(StandaloneRedisLink.connector(uri, commandTimeout), null, keyPrefix, RedisStoreSettings.DEFAULTS,
                new StoreHealth(), recheckInterval, null, null);
    }

    /** A standalone or Sentinel store with {@code settings}, connections on Lettuce's threads (tests, tools). */
    public RedisIdempotencyStore(String uri, String keyPrefix, Duration commandTimeout, RedisStoreSettings settings,
                                 StoreHealth health) {
        this(StandaloneRedisLink.connector(uri, commandTimeout), ackConnector(uri, commandTimeout, settings), keyPrefix,
                settings, health, Duration.ofMillis(RECHECK_MILLIS), null, null);
    }

    /**
     * As the public constructor, with one command connection per event loop of {@code loops} (the gateway's),
     * served by that loop: store calls from an exchange never leave its thread ({@link LoopAffineLinks}).
     *
     * @param channelType the socket channel type of {@code loops}' transport
     */
    public static RedisIdempotencyStore standalone(String uri, String keyPrefix, Duration commandTimeout,
                                                   EventLoopGroup loops, Class<? extends Channel> channelType) {
        return standalone(uri, keyPrefix, commandTimeout, RedisStoreSettings.DEFAULTS, new StoreHealth(), loops,
                channelType);
    }

    /**
     * As above, with {@code settings} (fence retention, replicas a completion waits for); risks found (eviction
     * policy, unconfirmed completions) are reported to {@code health}.
     */
    public static RedisIdempotencyStore standalone(String uri, String keyPrefix, Duration commandTimeout,
                                                   RedisStoreSettings settings, StoreHealth health,
                                                   EventLoopGroup loops, Class<? extends Channel> channelType) {
        return new RedisIdempotencyStore(StandaloneRedisLink.connector(uri, commandTimeout),
                ackConnector(uri, commandTimeout, settings), keyPrefix, settings, health,
                Duration.ofMillis(RECHECK_MILLIS), loops, channelType);
    }

    /** The connection that WAITs for replicas: a WAIT may block it for the replica timeout, on top of a command's. */
    private static RedisLink.Connector ackConnector(String uri, Duration commandTimeout, RedisStoreSettings settings) {
        return settings.minReplicas() == 0 ? null
                : StandaloneRedisLink.connector(uri, commandTimeout.plus(settings.replicaTimeout()));
    }

    /**
     * Connects to a Redis Cluster through its seed URIs (any reachable node will do; the topology is
     * discovered and followed). Blocks until connected and subscribed: call it at start-up only.
     */
    public static RedisIdempotencyStore cluster(List<String> seedUris, String keyPrefix, Duration commandTimeout) {
        return cluster(seedUris, keyPrefix, commandTimeout, Duration.ofMillis(RECHECK_MILLIS));
    }

    /** As above, with one connection per event loop of {@code loops}, as {@link #standalone}. */
    public static RedisIdempotencyStore cluster(List<String> seedUris, String keyPrefix, Duration commandTimeout,
                                                EventLoopGroup loops, Class<? extends Channel> channelType) {
        return cluster(seedUris, keyPrefix, commandTimeout, RedisStoreSettings.DEFAULTS, new StoreHealth(), loops,
                channelType);
    }

    /** As above, with {@code settings} (fence retention; {@code min-replicas} is refused with a Cluster). */
    public static RedisIdempotencyStore cluster(List<String> seedUris, String keyPrefix, Duration commandTimeout,
                                                RedisStoreSettings settings, StoreHealth health, EventLoopGroup loops,
                                                Class<? extends Channel> channelType) {
        if (settings.minReplicas() > 0) {
            throw new IllegalArgumentException("min-replicas is not supported with a Redis Cluster");
        }
        return new RedisIdempotencyStore(ClusterRedisLink.connector(seedUris, commandTimeout), null, keyPrefix,
                settings, health, Duration.ofMillis(RECHECK_MILLIS), loops, channelType);
    }

    static RedisIdempotencyStore cluster(List<String> seedUris, String keyPrefix, Duration commandTimeout,
                                         Duration recheckInterval) {
        return new RedisIdempotencyStore(ClusterRedisLink.connector(seedUris, commandTimeout), null, keyPrefix,
                RedisStoreSettings.DEFAULTS, new StoreHealth(), recheckInterval, null, null);
    }

    private RedisIdempotencyStore(RedisLink.Connector connector, RedisLink.Connector ackConnector, String keyPrefix,
                                  RedisStoreSettings settings, StoreHealth health, Duration recheckInterval,
                                  EventLoopGroup loops, Class<? extends Channel> channelType) {
        this.keyPrefix = Objects.requireNonNull(keyPrefix, "keyPrefix");
        this.fenceRetention = settings.fenceRetention();
        this.health = Objects.requireNonNull(health, "health");
        this.minReplicas = settings.minReplicas();
        String channelName = keyPrefix + "events";
        this.channel = bytes(channelName);
        this.links = LoopAffineLinks.open(connector, loops, channelType, channelName, waiters::wake);
        this.rechecker = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "idemgate-redis-store-recheck");
            thread.setDaemon(true);
            return thread;
        });
        long recheck = recheckInterval.toMillis();
        rechecker.scheduleWithFixedDelay(this::recheckQuietly, recheck, recheck, TimeUnit.MILLISECONDS);
        rechecker.scheduleWithFixedDelay(this::watchLinks, LINK_WATCH_MILLIS, LINK_WATCH_MILLIS, TimeUnit.MILLISECONDS);
        this.evictionCheck = new EvictionPolicyCheck(this::redis, health);
        // At start (answered before the first request in practice), then every minute: a failover or a CONFIG SET
        // may change it.
        evictionCheck.run();
        rechecker.scheduleWithFixedDelay(evictionCheck::run, EVICTION_CHECK_SECONDS, EVICTION_CHECK_SECONDS,
                TimeUnit.SECONDS);
        ReplicaAcks opened = null;
        if (ackConnector != null) {
            try {
                opened = new ReplicaAcks(ackConnector, keyPrefix, minReplicas, settings.replicaTimeout());
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }
        this.acks = opened;
    }

    /**
     * Runs {@code action} whenever a link reconnects (within {@value #LINK_WATCH_MILLIS} ms): the gateway's
     * breaker probes then rather than at the end of its cool-down.
     */
    public void onLinkUp(Runnable action) {
        this.onLinkUp = Objects.requireNonNull(action, "action");
    }

    /** Links of the event loops now: {@code up}, {@code borrowing} (down, served by another's) or {@code down}. */
    public int links(String state) {
        return links.count(LinkHealth.State.valueOf(state.toUpperCase(java.util.Locale.ROOT)));
    }

    /** Commands a loop sent on another loop's link because its own was down, since start. */
    public long borrowedCommands() {
        return links.borrowed();
    }

    @Override
    public CompletionStage<ClaimResult> claim(String id, String fingerprint, String owner, Duration lease,
                                              boolean takeOverUnknown, Duration unknownTtl) {
        return guarded(() -> CLAIM.<List<Object>>run(redis(), recordAndFence(id), bytes(fingerprint), bytes(owner),
                        bytes(lease.toMillis()), bytes(takeOverUnknown ? "1" : "0"), bytes(unknownTtl.toMillis()),
                        channel, bytes(id))
                .thenApply(this::claimResult));
    }

    @Override
    public CompletionStage<Boolean> renew(String id, String owner, long fence, Duration lease) {
        return ownerWrite(RENEW, id, bytes(owner), bytes(fence), bytes(lease.toMillis()));
    }

    /**
     * A body of one chunk goes inline in the record, so a replay is the claim's one round trip. A larger
     * one is first staged chunk by chunk (one command each, pipelined on the connection) under a key of
     * this attempt's own; the complete script then checks ownership and adopts it, or drops it if refused.
     */
    @Override
    public CompletionStage<Boolean> complete(String id, String owner, long fence, StoredResponse response,
                                             Duration ttl) {
        Objects.requireNonNull(response, "response");
        if (!(response.body() instanceof BodyChunks body)) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("complete needs a body in memory"));
        }
        byte[] status = bytes(response.status());
        byte[] headers = RecordCodec.encodeHeaders(response.headers());
        byte[] omitted = bytes(response.bodyOmitted() ? "1" : "0");
        if (body.chunkCount() <= 1) {
            byte[] inline = body.chunkCount() == 0 ? new byte[0] : body.chunkNow(0);
            return durable(ownerWrite(COMPLETE, id, bytes(owner), bytes(fence), bytes(ttl.toMillis()), channel,
                    bytes(id), status, headers, inline, omitted));
        }
        byte[] staging = stagingKey(id, owner, fence);
        byte[][] keys = {key(id), staging};
        byte[][] args = {bytes(owner), bytes(fence), bytes(ttl.toMillis()), channel, bytes(id), status, headers,
                new byte[0], omitted, bytes(body.chunkCount()), bytes(body.length()),
                bytes(ttl.plus(BODY_GRACE).toMillis())};
        return durable(guarded(() -> stage(staging, body)
                .thenCompose(staged -> COMPLETE.<Long>run(redis(), keys, args))
                .thenApply(written -> written == 1)));
    }

    /**
     * With {@code min-replicas}, a stored completion answers only once the replicas hold it (or the replica
     * timeout passed): a failover then cannot lose an answer the client already has. Unconfirmed, it still
     * answers true (the master holds it), counted and logged: the operator's signal that a failover now could
     * lose it.
     */
    private CompletionStage<Boolean> durable(CompletionStage<Boolean> completed) {
        if (acks == null) {
            return completed;
        }
        return completed.thenCompose(written -> !written ? CompletableFuture.completedFuture(false)
                : acks.confirm().thenApply(confirmed -> {
                    if (!confirmed) {
                        health.unconfirmedCompletion();
                        // No record id: it is derived from the client's key, which never goes to logs.
                        log.warn("a completion was not confirmed by {} replica(s) within the replica timeout: a "
                                + "failover now could lose it (idemgate_store_unconfirmed_completions_total)",
                                minReplicas);
                    }
                    return true;
                }));
    }

    /** Every chunk in flight at once (Lettuce pipelines them); done when Redis has acknowledged them all. */
    private CompletableFuture<Void> stage(byte[] staging, BodyChunks body) {
        byte[] ttl = bytes(STAGING_TTL.toMillis());
        CompletableFuture<?>[] writes = new CompletableFuture<?>[body.chunkCount()];
        for (int i = 0; i < writes.length; i++) {
            writes[i] = STAGE.run(redis(), staging, bytes(i), body.chunkNow(i), ttl);
        }
        return CompletableFuture.allOf(writes);
    }

    @Override
    public CompletionStage<Boolean> release(String id, String owner, long fence) {
        return guarded(() -> RELEASE.<Long>run(redis(), recordAndFence(id), bytes(owner), bytes(fence), channel,
                bytes(id), bytes(fenceRetention.toMillis())).thenApply(written -> written == 1));
    }

    @Override
    public CompletionStage<Boolean> markOutcomeUnknown(String id, String owner, long fence, String reason,
                                                       Duration ttl) {
        return ownerWrite(MARK_UNKNOWN, id, bytes(owner), bytes(fence), bytes(ttl.toMillis()), channel, bytes(id),
                bytes(reason));
    }

    @Override
    public CompletionStage<Optional<IdempotencyRecord>> get(String id) {
        // One HGETALL is atomic by itself; no script needed to read.
        return guarded(() -> redis().hgetall(key(id)).toCompletableFuture()
                .thenApply(hash -> hash.isEmpty() ? Optional.<IdempotencyRecord>empty()
                        : Optional.of(RecordCodec.decode(RecordCodec.stringKeys(hash), this::body))));
    }

    @Override
    public CompletionStage<Boolean> delete(String id) {
        return guarded(() -> DELETE.<Long>run(redis(), recordAndFence(id), channel, bytes(id),
                bytes(fenceRetention.toMillis())).thenApply(deleted -> deleted == 1));
    }

    @Override
    public CompletableFuture<Void> awaitChange(String id) {
        if (closed) {
            return closedStage();
        }
        CompletableFuture<Void> change = waiters.register(id);
        // Registered (and subscribed since construction) first, then look: a change after the look is
        // published to us, one before it is seen by the look.
        inFlight(id).whenComplete((running, failure) -> {
            if (failure != null) {
                change.completeExceptionally(failure);
            } else if (!running) {
                change.complete(null);
            }
        });
        return change;
    }

    @Override
    public CompletionStage<Boolean> ping() {
        if (closed) {
            return CompletableFuture.completedFuture(false);
        }
        return RedisPing.of(redis());
    }

    /**
     * Ready when every event loop can reach Redis (on its own link or a borrowed one) and Redis answers on
     * every connected link: on a Cluster, where nothing is borrowed, that is every loop's own link to every
     * slot owner, so a loop still reconnecting to a restarted master keeps the gateway not ready.
     */
    @Override
    public CompletionStage<Boolean> ready() {
        if (closed || !links.everyLoopServed()) {
            return CompletableFuture.completedFuture(false);
        }
        CompletableFuture<Boolean> all = CompletableFuture.completedFuture(true);
        for (RedisClusterAsyncCommands<byte[], byte[]> link : links.connectedCommands()) {
            all = all.thenCombine(RedisPing.of(link), Boolean::logicalAnd);
        }
        return all;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        rechecker.shutdownNow();
        waiters.failAll(new IllegalStateException("redis store closed"));
        if (acks != null) {
            acks.close();
        }
        links.close();
    }

    /** Checks Redis's eviction policy now (it is also checked at start and every minute). */
    public CompletableFuture<Void> checkEvictionPolicy() {
        return evictionCheck.run();
    }

    /** Futures handed out by {@code awaitChange} that are still pending. */
    public int waiterCount() {
        return waiters.count();
    }

    private CompletableFuture<Boolean> inFlight(String id) {
        return IN_FLIGHT.<Long>run(redis(), key(id)).thenApply(running -> running == 1);
    }

    /** The bounded fallback: wakes waiters whose record is no longer in flight, published or not. */
    private void recheckQuietly() {
        try {
            for (String id : waiters.ids(MAX_RECHECKS_PER_PASS)) {
                inFlight(id).thenAccept(running -> {
                    if (!running) {
                        waiters.wake(id);
                    }
                });
            }
        } catch (RuntimeException e) {
            // A failed pass must not cancel the schedule; the next pass retries.
            log.warn("redis store re-check failed", e);
        }
    }

    private void watchLinks() {
        try {
            if (links.watch() && !closed) {
                onLinkUp.run();
            }
        } catch (RuntimeException e) {
            log.warn("redis store link watch failed", e);
        }
    }

    private CompletionStage<Boolean> ownerWrite(RedisScript script, String id, byte[]... args) {
        return guarded(() -> script.<Long>run(redis(), key(id), args).thenApply(written -> written == 1));
    }

    private <T> CompletionStage<T> guarded(Supplier<CompletionStage<T>> operation) {
        if (closed) {
            return closedStage();
        }
        try {
            return operation.get();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** The calling event loop's own connection, when it has one. */
    private RedisClusterAsyncCommands<byte[], byte[]> redis() {
        return links.commands();
    }

    private StoredBody body(byte[] bodyKey, int chunks, long length) {
        // Built where the claim's reply is handled: on a gateway loop, that loop's connection fetches the chunks.
        return new RedisBody(redis(), bodyKey, chunks, length);
    }

    /**
     * {@code <prefix>{<id>}:body:<fence>:<owner>}: unique to one attempt, so two attempts never write into
     * one body, and in the record's hash tag (Cluster slot).
     */
    private byte[] stagingKey(String id, String owner, long fence) {
        return bytes(keyPrefix + "{" + id + "}:body:" + fence + ":" + owner);
    }

    /**
     * The record and its fence tombstone {@code <prefix>{<id>}:fence}, the last fence of a released or purged
     * record, so the key's next claim gets a higher one (same hash tag, same Cluster slot).
     */
    private byte[][] recordAndFence(String id) {
        return new byte[][] {key(id), bytes(keyPrefix + "{" + id + "}:fence")};
    }

    /** {@code <prefix>{<id>}}: the braces are the hash tag, so a record's keys always share one Cluster slot. */
    private byte[] key(String id) {
        return bytes(keyPrefix + "{" + id + "}");
    }

    private ClaimResult claimResult(List<Object> reply) {
        String kind = RecordCodec.utf8((byte[]) reply.get(0));
        if ("claimed".equals(kind)) {
            long fence = Long.parseLong(RecordCodec.utf8((byte[]) reply.get(1)));
            return new ClaimResult.Claimed(fence, "1".equals(RecordCodec.utf8((byte[]) reply.get(2))));
        }
        return new ClaimResult.Existing(RecordCodec.decode(RecordCodec.fields(reply, 1), this::body));
    }

    private static <T> CompletableFuture<T> closedStage() {
        return CompletableFuture.failedFuture(new IllegalStateException("redis store closed"));
    }
}
