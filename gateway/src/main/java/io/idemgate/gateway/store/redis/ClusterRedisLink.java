package io.idemgate.gateway.store.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * A Redis Cluster, found through seed URIs. Commands are routed by Lettuce to the master owning the
 * key's slot (every script has one key, whose hash tag {@code {<id>}} decides the slot). A script
 * unknown to that node (NOSCRIPT: new node, restart, failover) is sent there once by EVAL, as on a
 * standalone Redis, so each node caches it on first use.
 *
 * <p><b>Timeouts.</b> Every command fails after the command timeout. Unlike the standalone link,
 * commands for a node being (re)connected are queued rather than rejected, bounded by that timeout.
 *
 * <p><b>Topology.</b> Refreshed every {@value #PERIODIC_REFRESH_SECONDS} s and at once on MOVED/ASK
 * redirects and reconnects (adaptive triggers), so a failover or a resharding is followed.
 *
 * <p><b>Pub/sub.</b> Classic {@code PUBLISH} is forwarded by the cluster bus to every node, so one
 * subscription on any node receives every completion. The subscription lives on Lettuce's default
 * cluster pub/sub connection, which reconnects to any known node and subscribes again. (Sharded
 * pub/sub would send all ids to the one shard of the single channel: no gain, more moving parts.)
 */
final class ClusterRedisLink {

    static final long PERIODIC_REFRESH_SECONDS = 10;
    private static final Duration ADAPTIVE_REFRESH_RATE_LIMIT = Duration.ofSeconds(2);

    private ClusterRedisLink() {
    }

    /** Blocks until the topology is known, connected and subscribed; fails when no seed answers. */
    static RedisLink.Connector connector(List<String> seedUris, Duration commandTimeout) {
        if (seedUris.isEmpty()) {
            throw new IllegalArgumentException("a Redis Cluster needs at least one seed URI");
        }
        return (resources, channel, onMessage) -> connect(seedUris, commandTimeout, resources, channel, onMessage);
    }

    private static RedisLink connect(List<String> seedUris, Duration commandTimeout, ClientResources resources,
                                     String channel, Consumer<String> onMessage) {
        List<RedisURI> seeds = seedUris.stream().map(uri -> RedisLink.uri(uri, commandTimeout)).toList();
        RedisClusterClient client = RedisClusterClient.create(resources, seeds);
        client.setOptions(ClusterClientOptions.builder()
                .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
                // Not REJECT_COMMANDS as standalone: node connections open lazily (first command for a node,
                // new master after a failover) and would reject the commands that open them. Queued commands
                // still fail after the command timeout, so a fail-closed route never waits longer than that.
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.ACCEPT_COMMANDS)
                .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                        .enablePeriodicRefresh(Duration.ofSeconds(PERIODIC_REFRESH_SECONDS))
                        .enableAllAdaptiveRefreshTriggers()
                        .adaptiveRefreshTriggersTimeout(ADAPTIVE_REFRESH_RATE_LIMIT)
                        .build())
                .build());
        return LettuceLink.open(client, () -> client.connect(ByteArrayCodec.INSTANCE),
                StatefulRedisClusterConnection::async, () -> client.connectPubSub(StringCodec.UTF8), channel, onMessage, false);
    }
}
