package io.idemgate.gateway.store;

import io.idemgate.gateway.config.StoreConfig;
import io.idemgate.gateway.metrics.GatewayMetrics;
import io.idemgate.gateway.store.memory.MemoryIdempotencyStore;
import io.idemgate.gateway.store.redis.RedisIdempotencyStore;
import io.idemgate.gateway.store.redis.RedisStoreSettings;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the configured store, and the one place that stacks the gateway's layers on it. A new store type
 * is a case here (and its package); the layers come with it.
 *
 * <pre>
 * ClaimCoalescingStore          duplicates of one key overlapping on this instance share one claim
 *   InstrumentedIdempotencyStore  idemgate_store_operation_seconds, idemgate_store_errors_total
 *     CircuitBreakingStore        remote stores only: fail fast while the store keeps failing
 *       the configured store      memory or Redis
 * </pre>
 *
 * The breaker sits under the instrumentation, so calls it refuses count as failed store calls. A Redis
 * store tells the breaker when a link reconnects, so it probes at once, and reports its links in
 * {@code idemgate_store_links} and {@code idemgate_store_link_borrowed_total}.
 */
public final class StoreFactory {

    private static final Logger log = LoggerFactory.getLogger(StoreFactory.class);

    private StoreFactory() {
    }

    /** The configured store alone, its Redis connections on Lettuce's own threads (tools, tests). */
    public static IdempotencyStore create(StoreConfig config) {
        return base(config, null, null, new StoreHealth());
    }

    /**
     * The gateway's store: the configured store with every layer on top.
     *
     * @param loops the gateway's event loops: a Redis store gives each its own connection
     * @param channelType the socket channel type of {@code loops}' transport
     */
    public static IdempotencyStore create(StoreConfig config, EventLoopGroup loops, Class<? extends Channel> channelType,
                                          GatewayMetrics metrics) {
        return create(config, loops, channelType, metrics, new StoreHealth());
    }

    /** As above; the store reports the risks it finds (eviction, unconfirmed completions) to {@code health}. */
    public static IdempotencyStore create(StoreConfig config, EventLoopGroup loops, Class<? extends Channel> channelType,
                                          GatewayMetrics metrics, StoreHealth health) {
        IdempotencyStore store = switch (config.type()) {
            case MEMORY -> base(config, loops, channelType, health);
            case REDIS -> {
                RedisIdempotencyStore redis = redis(config.redis(), RedisStoreSettings.of(config), health, loops,
                        channelType);
                CircuitBreakingStore breaker = breaker(redis, metrics);
                // A link back means Redis answers again: every loop is served at once (borrowing), so let
                // requests through now rather than at the end of the breaker's cool-down.
                redis.onLinkUp(breaker::probeNow);
                metrics.registerStoreLinks(redis::links, redis::borrowedCommands);
                yield breaker;
            }
        };
        return new ClaimCoalescingStore(new InstrumentedIdempotencyStore(store, metrics));
    }

    private static IdempotencyStore base(StoreConfig config, EventLoopGroup loops, Class<? extends Channel> channelType,
                                         StoreHealth health) {
        return switch (config.type()) {
            case MEMORY -> memory(config.memory(), health);
            case REDIS -> redis(config.redis(), RedisStoreSettings.of(config), health, loops, channelType);
        };
    }

    private static IdempotencyStore memory(StoreConfig.Memory memory, StoreHealth health) {
        MemoryIdempotencyStore store = new MemoryIdempotencyStore(memory.effectiveMaxEntries(), memory.effectiveMaxBytes());
        health.fillFrom(store::fill);
        return store;
    }

    /**
     * A remote store goes behind a circuit breaker so an outage costs each request microseconds, not a
     * command timeout. The memory store is in-process: it has no outage, and its one failure ("full")
     * must not turn into refusing every request.
     */
    private static CircuitBreakingStore breaker(IdempotencyStore store, GatewayMetrics metrics) {
        return new CircuitBreakingStore(store, phase -> {
            if (phase == CircuitBreakingStore.Phase.OPEN) {
                log.warn("idempotency store circuit open: store calls fail at once until a probe succeeds");
            } else if (phase == CircuitBreakingStore.Phase.CLOSED) {
                log.debug("idempotency store circuit closed");
            }
            metrics.storeCircuitState(switch (phase) {
                case CLOSED -> 0;
                case OPEN -> 1;
                case HALF_OPEN -> 2;
            });
        });
    }

    private static RedisIdempotencyStore redis(StoreConfig.Redis redis, RedisStoreSettings settings, StoreHealth health,
                                               EventLoopGroup loops, Class<? extends Channel> channelType) {
        try {
            return connect(redis, settings, health, loops, channelType);
        } catch (RuntimeException e) { // Lettuce's RedisConnectionException and friends: a stack trace says less
            throw new StoreStartException(redis.uris(), e);
        }
    }

    private static RedisIdempotencyStore connect(StoreConfig.Redis redis, RedisStoreSettings settings, StoreHealth health,
                                                 EventLoopGroup loops, Class<? extends Channel> channelType) {
        if (redis.uris().isEmpty()) {
            throw new IllegalStateException("idemgate.store.redis.uris is empty");
        }
        if (redis.mode() == StoreConfig.Redis.Mode.CLUSTER) {
            // Every listed URI is a seed; the rest of the cluster is discovered and followed.
            return RedisIdempotencyStore.cluster(redis.uris(), redis.keyPrefix(), redis.commandTimeout(), settings,
                    health, loops, channelType);
        }
        // Sentinel needs nothing more: a redis-sentinel:// URI makes Lettuce ask the Sentinels for the master,
        // again after every reconnect, so a failover is followed like any other reconnect.
        return RedisIdempotencyStore.standalone(redis.uris().get(0), redis.keyPrefix(), redis.commandTimeout(), settings,
                health, loops, channelType);
    }
}
