package io.idemgate.gateway.store.redis;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What both modes share once their client is configured: open the command connection, subscribe the
 * event channel before the first waiter (Lettuce subscribes again by itself after a reconnect), clean
 * up if either fails, and close everything in order. The client's resources belong to the caller.
 */
final class LettuceLink implements RedisLink {

    private final AbstractRedisClient client;
    private final StatefulConnection<byte[], byte[]> connection;
    private final RedisClusterAsyncCommands<byte[], byte[]> commands;
    private final StatefulRedisPubSubConnection<String, String> events;
    private final boolean tracksConnection;

    private LettuceLink(AbstractRedisClient client, StatefulConnection<byte[], byte[]> connection,
                        RedisClusterAsyncCommands<byte[], byte[]> commands, StatefulRedisPubSubConnection<String, String> events,
                        boolean tracksConnection) {
        this.client = client;
        this.connection = connection;
        this.commands = commands;
        this.events = events;
        this.tracksConnection = tracksConnection;
    }

    /**
     * Blocks until connected and, unless {@code channel} is null, subscribed; on failure shuts the
     * client down.
     *
     * @param tracksConnection whether {@link #connected()} follows the command connection (standalone) or
     *                         always answers true (Cluster: see {@link RedisLink#connected()})
     */
    static <C extends StatefulConnection<byte[], byte[]>> RedisLink open(
            AbstractRedisClient client, Supplier<C> connect,
            Function<C, RedisClusterAsyncCommands<byte[], byte[]>> commandsOf,
            Supplier<? extends StatefulRedisPubSubConnection<String, String>> connectPubSub,
            String channel, Consumer<String> onMessage, boolean tracksConnection) {
        try {
            C connection = connect.get();
            StatefulRedisPubSubConnection<String, String> events = null;
            if (channel != null) {
                events = connectPubSub.get();
                events.addListener(new RedisPubSubAdapter<>() {
                    @Override
                    public void message(String from, String id) {
                        onMessage.accept(id);
                    }
                });
                events.sync().subscribe(channel);
            }
            return new LettuceLink(client, connection, commandsOf.apply(connection), events, tracksConnection);
        } catch (RuntimeException e) {
            client.shutdown();
            throw e;
        }
    }

    @Override
    public RedisClusterAsyncCommands<byte[], byte[]> commands() {
        return commands;
    }

    @Override
    public boolean connected() {
        return !tracksConnection || connection.isOpen();
    }

    @Override
    public void close() {
        if (events != null) {
            events.close();
        }
        connection.close();
        client.shutdown();
    }
}
