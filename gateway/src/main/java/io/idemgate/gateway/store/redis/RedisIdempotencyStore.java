package io.idemgate.gateway.store.redis;

import io.idemgate.gateway.idempotency.IdempotencyRecord;
import io.idemgate.gateway.idempotency.StoredResponse;
import io.idemgate.gateway.store.ClaimResult;
import io.idemgate.gateway.store.IdempotencyStore;
import io.idemgate.gateway.store.StoreHealth;
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
 * The shared store: every record is one Redis string (format 3, {@link PackedRecord}; hashes of formats 1
 * and 2 are still read, {@link RecordCodec}), every state change one Lua script (atomic on the
 * server, timed by the server clock), so many gateway instances see one truth. Format, keys and
 * scripts: docs/store-format.md.
 *
 * <p><b>Connections.</b> Command connections (auto-flush, pipelined by Lettuce; one per gateway event loop,
 * see {@link LoopAffineLinks}) and one pub/sub connection per store, to a standalone Redis, a Sentinel-managed master or a Cluster
 * ({@link StandaloneRedisLink}, {@link ClusterRedisLink}); the logic here is the same for all. Every
 * command fails after {@code commandTimeout}; nothing here blocks, except the constructor (connects)
 * and {@link #close()}, which run at start-up and shutdown.
 *
 * <p><b>Records</b>: keys in {@link RecordKeys}, operations in {@link RecordScripts}. A body over one chunk is
 * not one giant value: it is staged chunk by chunk in a hash of its own and read back one HGET per chunk as a
 * replay streams ({@link RedisBody}).
 *
 * <p><b>Waking waiters</b> ({@link RecordWaiters}): by the owner's published message, or by a re-check every
 * {@value #RECHECK_MILLIS} ms on one shared thread.
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
    private static final long EVICTION_CHECK_SECONDS = 60;
    /** How often Redis's clock is sampled for claims without a script ({@link RedisClock}). */
    static final long CLOCK_SAMPLE_MILLIS = 500;
    private static final Logger log = LoggerFactory.getLogger(RedisIdempotencyStore.class);

    static {
        // Lettuce records a JFR event per connection by default; initialising JFR costs seconds at start-up
        // (measured: 6 s of a 6.5 s first connect). Off unless the operator sets -Dio.lettuce.core.jfr=true.
        if (System.getProperty("io.lettuce.core.jfr") == null) {
            System.setProperty("io.lettuce.core.jfr", "false");
        }
    }

    private final EvictionPolicyCheck evictionCheck;
    /** Null unless {@code min-replicas} > 0. */
    private final ReplicaAcks acks;
    private final RecordScripts scripts;
    private final ScriptFreeClaims scriptFree;
    private final LoopAffineLinks links;
    private final RecordWaiters waiters;
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
        RecordKeys keys = new RecordKeys(keyPrefix);
        Objects.requireNonNull(health, "health");
        this.scriptFree = new ScriptFreeClaims(keys, settings.fenceRetention());
        this.scripts = new RecordScripts(keys, settings.fenceRetention(), this::redis, scriptFree);
        this.waiters = new RecordWaiters(scripts::inFlight);
        this.links = LoopAffineLinks.open(connector, loops, channelType, keys.channelName(), waiters::wake);
        this.rechecker = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "idemgate-redis-store-recheck");
            thread.setDaemon(true);
            return thread;
        });
        long recheck = recheckInterval.toMillis();
        rechecker.scheduleWithFixedDelay(waiters::recheck, recheck, recheck, TimeUnit.MILLISECONDS);
        rechecker.scheduleWithFixedDelay(this::watchLinks, LINK_WATCH_MILLIS, LINK_WATCH_MILLIS, TimeUnit.MILLISECONDS);
        // Claims without a script need Redis's clock: sampled at start (bounded: they stay off until it answers)
        // and then often enough that the estimate never ages past RedisClock.MAX_AGE_MILLIS.
        try {
            scriptFree.refresh(redis()).get(RedisClock.MAX_AGE_MILLIS, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            log.info("redis store: claims without a script wait for Redis's clock ({})", e.toString());
        }
        rechecker.scheduleWithFixedDelay(this::refreshClock, CLOCK_SAMPLE_MILLIS, CLOCK_SAMPLE_MILLIS,
                TimeUnit.MILLISECONDS);
        health.scriptFreeClaims(scriptFree::on);
        this.evictionCheck = new EvictionPolicyCheck(this::redis, health);
        // At start (answered before the first request in practice), then every minute: a failover or a CONFIG SET
        // may change it.
        evictionCheck.run();
        rechecker.scheduleWithFixedDelay(evictionCheck::run, EVICTION_CHECK_SECONDS, EVICTION_CHECK_SECONDS,
                TimeUnit.SECONDS);
        ReplicaAcks opened = null;
        if (ackConnector != null) {
            try {
                opened = new ReplicaAcks(ackConnector, keyPrefix, settings.minReplicas(), settings.replicaTimeout(),
                        health);
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
        return guarded(() -> scripts.claim(id, fingerprint, owner, lease, takeOverUnknown, unknownTtl));
    }

    @Override
    public CompletionStage<Boolean> renew(String id, String owner, long fence, Duration lease) {
        return guarded(() -> scripts.renew(id, owner, fence, lease));
    }

    @Override
    public CompletionStage<Boolean> complete(String id, String owner, long fence, StoredResponse response,
                                             Duration ttl) {
        Objects.requireNonNull(response, "response");
        CompletionStage<Boolean> stored = guarded(() -> scripts.complete(id, owner, fence, response, ttl));
        // With min-replicas, answered once the replicas hold it (ReplicaAcks).
        return acks == null ? stored : acks.durable(stored);
    }

    @Override
    public CompletionStage<Boolean> release(String id, String owner, long fence) {
        return guarded(() -> scripts.release(id, owner, fence));
    }

    @Override
    public CompletionStage<Boolean> markOutcomeUnknown(String id, String owner, long fence, String reason,
                                                       Duration ttl) {
        return guarded(() -> scripts.markOutcomeUnknown(id, owner, fence, reason, ttl));
    }

    @Override
    public CompletionStage<Optional<IdempotencyRecord>> get(String id) {
        return guarded(() -> scripts.get(id));
    }

    @Override
    public CompletionStage<Boolean> delete(String id) {
        return guarded(() -> scripts.delete(id));
    }

    @Override
    public CompletableFuture<Void> awaitChange(String id) {
        if (closed) {
            return closedStage();
        }
        return waiters.register(id);
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

    private void refreshClock() {
        if (!closed) {
            scriptFree.refresh(redis()).exceptionally(failure -> null);
        }
    }

    private void watchLinks() {
        try {
            if (links.watch() && !closed) {
                // Perhaps another server now (a promoted replica): its clock is sampled before claims skip the script.
                scriptFree.forgetClock();
                refreshClock();
                onLinkUp.run();
            }
        } catch (RuntimeException e) {
            log.warn("redis store link watch failed", e);
        }
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

    private static <T> CompletableFuture<T> closedStage() {
        return CompletableFuture.failedFuture(new IllegalStateException("redis store closed"));
    }
}
