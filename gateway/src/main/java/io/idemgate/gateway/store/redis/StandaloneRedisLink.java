package io.idemgate.gateway.store.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * A standalone Redis ({@code redis://}, {@code rediss://}) or, through Sentinel, its master
 * ({@code redis-sentinel://…#master}; Lettuce asks the Sentinels again on every reconnect).
 */
final class StandaloneRedisLink {

    private StandaloneRedisLink() {
    }

    /** Blocks until connected and subscribed; fails when Redis cannot be reached. */
    static RedisLink.Connector connector(String uri, Duration commandTimeout) {
        return (resources, channel, onMessage) -> connect(uri, commandTimeout, resources, channel, onMessage);
    }

    private static RedisLink connect(String uri, Duration commandTimeout, ClientResources resources, String channel,
                                     Consumer<String> onMessage) {
        RedisClient client = RedisClient.create(resources, RedisLink.uri(uri, commandTimeout));
        client.setOptions(ClientOptions.builder()
                .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
                // Fail fast while disconnected instead of queueing: a fail-closed route answers 503 at once.
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .build());
        return LettuceLink.open(client, () -> client.connect(ByteArrayCodec.INSTANCE),
                StatefulRedisConnection::async, () -> client.connectPubSub(StringCodec.UTF8), channel, onMessage, true);
    }
}
