package io.idemgate.gateway.store;

import io.idemgate.gateway.config.StoreConfig;
import io.idemgate.gateway.store.memory.MemoryIdempotencyStore;
import io.idemgate.gateway.store.redis.RedisIdempotencyStore;

/** Builds the configured store. */
public final class StoreFactory {

    private StoreFactory() {
    }

    public static IdempotencyStore create(StoreConfig config) {
        return switch (config.type()) {
            case MEMORY -> new MemoryIdempotencyStore(config.memory().maxEntries());
            case REDIS -> redis(config.redis());
        };
    }

    private static IdempotencyStore redis(StoreConfig.Redis redis) {
        if (redis.uris().isEmpty()) {
            throw new IllegalStateException("idemgate.store.redis.uris is empty");
        }
        if (redis.mode() == StoreConfig.Redis.Mode.CLUSTER) {
            // Every listed URI is a seed; the rest of the cluster is discovered and followed.
            return RedisIdempotencyStore.cluster(redis.uris(), redis.keyPrefix(), redis.commandTimeout());
        }
        // Sentinel needs nothing more: a redis-sentinel:// URI makes Lettuce ask the Sentinels for the master,
        // again after every reconnect, so a failover is followed like any other reconnect.
        return new RedisIdempotencyStore(redis.uris().get(0), redis.keyPrefix(), redis.commandTimeout());
    }
}
