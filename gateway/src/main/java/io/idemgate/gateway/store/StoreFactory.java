package io.idemgate.gateway.store;

import io.idemgate.gateway.config.StoreConfig;
import io.idemgate.gateway.store.memory.MemoryIdempotencyStore;
import io.idemgate.gateway.store.redis.RedisIdempotencyStore;
import io.idemgate.gateway.store.redis.RedisStoreSettings;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;

/** Builds the configured store. */
public final class StoreFactory {

    private StoreFactory() {
    }

    /** A store whose Redis connections run on Lettuce's own threads (tools, tests). */
    public static IdempotencyStore create(StoreConfig config) {
        return create(config, null, null);
    }

    /**
     * @param loops the gateway's event loops: a Redis store gives each its own connection
     * @param channelType the socket channel type of {@code loops}' transport
     */
    public static IdempotencyStore create(StoreConfig config, EventLoopGroup loops, Class<? extends Channel> channelType) {
        return switch (config.type()) {
            case MEMORY -> new MemoryIdempotencyStore(config.memory().maxEntries());
            case REDIS -> redis(config.redis(), RedisStoreSettings.of(config), loops, channelType);
        };
    }

    private static IdempotencyStore redis(StoreConfig.Redis redis, RedisStoreSettings settings, EventLoopGroup loops,
                                          Class<? extends Channel> channelType) {
        if (redis.uris().isEmpty()) {
            throw new IllegalStateException("idemgate.store.redis.uris is empty");
        }
        if (redis.mode() == StoreConfig.Redis.Mode.CLUSTER) {
            // Every listed URI is a seed; the rest of the cluster is discovered and followed.
            return RedisIdempotencyStore.cluster(redis.uris(), redis.keyPrefix(), redis.commandTimeout(), settings,
                    loops, channelType);
        }
        // Sentinel needs nothing more: a redis-sentinel:// URI makes Lettuce ask the Sentinels for the master,
        // again after every reconnect, so a failover is followed like any other reconnect.
        return RedisIdempotencyStore.standalone(redis.uris().get(0), redis.keyPrefix(), redis.commandTimeout(), settings,
                loops, channelType);
    }
}
