package io.idemgate.gateway.store.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * A standalone Redis ({@code redis://}, {@code rediss://}) or, through Sentinel, its master
 * ({@code redis-sentinel://…#master}; Lettuce asks the Sentinels again on every reconnect).
 */
final class StandaloneRedisLink implements RedisLink {

    private final ClientResources resources;
    private final RedisClient client;
    private final StatefulRedisConnection<byte[], byte[]> connection;
    private final StatefulRedisPubSubConnection<String, String> events;

    private StandaloneRedisLink(ClientResources resources, RedisClient client,
                                StatefulRedisConnection<byte[], byte[]> connection,
                                StatefulRedisPubSubConnection<String, String> events) {
        this.resources = resources;
        this.client = client;
        this.connection = connection;
        this.events = events;
    }

    /** Blocks until connected and subscribed; fails when Redis cannot be reached. */
    static RedisLink.Connector connector(String uri, Duration commandTimeout) {
        return (channel, onMessage) -> connect(uri, commandTimeout, channel, onMessage);
    }

    private static RedisLink connect(String uri, Duration commandTimeout, String channel, Consumer<String> onMessage) {
        ClientResources resources = RedisLink.resources();
        RedisClient client = RedisClient.create(resources, RedisLink.uri(uri, commandTimeout));
        client.setOptions(ClientOptions.builder()
                .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
                // Fail fast while disconnected instead of queueing: a fail-closed route answers 503 at once.
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .build());
        try {
            StatefulRedisConnection<byte[], byte[]> connection = client.connect(ByteArrayCodec.INSTANCE);
            StatefulRedisPubSubConnection<String, String> events = client.connectPubSub(StringCodec.UTF8);
            events.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String from, String id) {
                    onMessage.accept(id);
                }
            });
            // Subscribed before the first waiter; Lettuce subscribes again by itself after a reconnect.
            events.sync().subscribe(channel);
            return new StandaloneRedisLink(resources, client, connection, events);
        } catch (RuntimeException e) {
            client.shutdown();
            resources.shutdown();
            throw e;
        }
    }

    @Override
    public RedisClusterAsyncCommands<byte[], byte[]> commands() {
        return connection.async();
    }

    @Override
    public void close() {
        events.close();
        connection.close();
        client.shutdown();
        resources.shutdown();
    }
}
