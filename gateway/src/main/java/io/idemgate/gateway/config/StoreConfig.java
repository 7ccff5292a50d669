package io.idemgate.gateway.config;

import java.time.Duration;
import java.util.List;

/**
 * Where idempotency records live.
 *
 * @param fenceRetention how long a key's last fence outlives its record after a release or purge (the Redis
 *     tombstone): the longest route {@code ttl}, at least {@link #MIN_FENCE_RETENTION}; derived, not a key
 */
public record StoreConfig(Type type, Memory memory, Redis redis, Duration fenceRetention) {

    public static final Duration MIN_FENCE_RETENTION = Duration.ofHours(24);

    public enum Type { MEMORY, REDIS }

    public StoreConfig(Type type, Memory memory, Redis redis) {
        this(type, memory, redis, MIN_FENCE_RETENTION);
    }

    /** With the fence retention the routes need: their longest {@code ttl}, never under the minimum. */
    public StoreConfig withFenceRetentionFor(List<RouteConfig> routes) {
        Duration longest = MIN_FENCE_RETENTION;
        for (RouteConfig route : routes) {
            if (route.idempotency() != null && route.idempotency().ttl() != null
                    && route.idempotency().ttl().compareTo(longest) > 0) {
                longest = route.idempotency().ttl();
            }
        }
        return new StoreConfig(type, memory, redis, longest);
    }

    /**
     * The embedded single-instance store.
     *
     * @param maxEntries records at most; 0 = auto (bounded by {@code maxBytes} alone)
     * @param maxBytes estimated bytes of records at most; 0 = auto (a quarter of the heap)
     */
    public record Memory(int maxEntries, long maxBytes) {

        public Memory(int maxEntries) {
            this(maxEntries, 0);
        }

        public int effectiveMaxEntries() {
            return maxEntries == 0 ? Integer.MAX_VALUE : maxEntries;
        }

        /** A quarter of the heap when auto: room for the rest of the gateway, and a full store refuses, not dies. */
        public long effectiveMaxBytes() {
            return maxBytes == 0 ? Runtime.getRuntime().maxMemory() / 4 : maxBytes;
        }
    }

    /**
     * A shared Redis (standalone, Sentinel or Cluster).
     *
     * @param minReplicas replicas that must acknowledge a completion ({@code WAIT}) before it counts as durable;
     *     0 = none asked
     * @param replicaTimeout how long a completion waits for those replicas
     */
    public record Redis(List<String> uris, Mode mode, String keyPrefix, Duration commandTimeout, int minReplicas,
                        Duration replicaTimeout) {

        public static final Duration DEFAULT_REPLICA_TIMEOUT = Duration.ofMillis(100);

        public enum Mode { STANDALONE, SENTINEL, CLUSTER }

        public Redis {
            uris = List.copyOf(uris);
        }

        public Redis(List<String> uris, Mode mode, String keyPrefix, Duration commandTimeout) {
            this(uris, mode, keyPrefix, commandTimeout, 0, DEFAULT_REPLICA_TIMEOUT);
        }
    }
}
