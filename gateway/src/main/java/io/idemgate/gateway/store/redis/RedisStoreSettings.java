package io.idemgate.gateway.store.redis;

import io.idemgate.gateway.config.StoreConfig;
import java.time.Duration;
import java.util.Objects;

/**
 * What the Redis store needs beyond where Redis is: how long a released key's fence is remembered, and how
 * many replicas must hold a completion before it counts as durable.
 *
 * @param fenceRetention TTL of the fence tombstone a release or purge leaves
 * @param minReplicas replicas that must acknowledge a completion ({@code WAIT}); 0 = none asked
 * @param replicaTimeout how long one {@code WAIT} may block
 */
public record RedisStoreSettings(Duration fenceRetention, int minReplicas, Duration replicaTimeout) {

    public static final RedisStoreSettings DEFAULTS = new RedisStoreSettings(StoreConfig.MIN_FENCE_RETENTION, 0,
            StoreConfig.Redis.DEFAULT_REPLICA_TIMEOUT);

    public RedisStoreSettings {
        Objects.requireNonNull(fenceRetention, "fenceRetention");
        Objects.requireNonNull(replicaTimeout, "replicaTimeout");
        if (minReplicas < 0) {
            throw new IllegalArgumentException("minReplicas must not be negative, was " + minReplicas);
        }
    }

    public static RedisStoreSettings of(StoreConfig config) {
        return new RedisStoreSettings(config.fenceRetention(), config.redis().minReplicas(),
                config.redis().replicaTimeout());
    }

    public RedisStoreSettings withMinReplicas(int replicas, Duration timeout) {
        return new RedisStoreSettings(fenceRetention, replicas, timeout);
    }
}
