package io.idemgate.gateway.store.redis;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What both modes share once their client is configured: open the command connection, subscribe the
 * event channel before the first waiter (Lettuce subscribes again by itself after a reconnect), clean
 * up if either fails, and close everything in order.
 */
final class LettuceLink implements RedisLink {

    private final ClientResources resources;
    private final AbstractRedisClient client;
    private final StatefulConnection<byte[], byte[]> connection;
    private final RedisClusterAsyncCommands<byte[], byte[]> commands;
    private final StatefulRedisPubSubConnection<String, String> events;

    private LettuceLink(ClientResources resources, AbstractRedisClient client, StatefulConnection<byte[], byte[]> connection,
                        RedisClusterAsyncCommands<byte[], byte[]> commands, StatefulRedisPubSubConnection<String, String> events) {
        this.resources = resources;
        this.client = client;
        this.connection = connection;
        this.commands = commands;
        this.events = events;
    }

    /** Blocks until connected and subscribed; on failure shuts the client and its resources down. */
    static <C extends StatefulConnection<byte[], byte[]>> RedisLink open(
            ClientResources resources, AbstractRedisClient client, Supplier<C> connect,
            Function<C, RedisClusterAsyncCommands<byte[], byte[]>> commandsOf,
            Supplier<? extends StatefulRedisPubSubConnection<String, String>> connectPubSub,
            String channel, Consumer<String> onMessage) {
        try {
            C connection = connect.get();
            StatefulRedisPubSubConnection<String, String> events = connectPubSub.get();
            events.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String from, String id) {
                    onMessage.accept(id);
                }
            });
            events.sync().subscribe(channel);
            return new LettuceLink(resources, client, connection, commandsOf.apply(connection), events);
        } catch (RuntimeException e) {
            client.shutdown();
            resources.shutdown();
            throw e;
        }
    }

    @Override
    public RedisClusterAsyncCommands<byte[], byte[]> commands() {
        return commands;
    }

    @Override
    public void close() {
        events.close();
        connection.close();
        client.shutdown();
        resources.shutdown();
    }
}
