package io.idemgate.gateway.store.redis;

import io.lettuce.core.cluster.api.async.RedisAdvancedClusterAsyncCommands;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Readiness of a Redis deployment. Standalone (or the Sentinel's master): one PING. Cluster: a PING to
 * every master that owns slots, true only if all answer. A plain PING on a cluster connection reaches one
 * node, so one master down (its slots failing every request for them) would still look ready.
 *
 * <p>Threading: any thread; never blocks (node connections are opened asynchronously by Lettuce).
 */
final class RedisPing {

    private RedisPing() {
    }

    static CompletionStage<Boolean> of(RedisClusterAsyncCommands<byte[], byte[]> redis) {
        try {
            if (redis instanceof RedisAdvancedClusterAsyncCommands<byte[], byte[]> cluster) {
                return slotOwners(cluster);
            }
            return redis.ping().toCompletableFuture().handle((pong, failure) -> failure == null && "PONG".equals(pong));
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(false);
        }
    }

    /**
     * Evaluated on the topology Lettuce knows now (refreshed periodically and on redirects): a master that
     * lost its slots in a failover no longer counts, the replica that took them over does.
     */
    private static CompletionStage<Boolean> slotOwners(RedisAdvancedClusterAsyncCommands<byte[], byte[]> cluster) {
        CompletableFuture<String>[] pongs = cluster
                .nodes(node -> node.is(RedisClusterNode.NodeFlag.UPSTREAM) && !node.hasNoSlots())
                .commands().ping().futures();
        if (pongs.length == 0) {
            return CompletableFuture.completedFuture(false); // no slots served: nothing could be stored
        }
        CompletableFuture<Boolean> all = CompletableFuture.completedFuture(true);
        for (CompletableFuture<String> pong : pongs) {
            CompletableFuture<Boolean> one = pong.handle((reply, failure) -> failure == null && "PONG".equals(reply));
            all = all.thenCombine(one, Boolean::logicalAnd);
        }
        return all;
    }
}
