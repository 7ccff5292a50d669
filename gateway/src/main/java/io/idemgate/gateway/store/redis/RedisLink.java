package io.idemgate.gateway.store.redis;

import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.NettyCustomizer;
import io.netty.channel.Channel;
import io.netty.handler.flush.FlushConsolidationHandler;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * The connections of one store to one Redis deployment (standalone/Sentinel or Cluster): a command
 * connection and a pub/sub subscription to the events channel. The store logic only sees
 * {@link #commands()}, which both deployments answer the same way (scripts run with their one key, so
 * on a Cluster they are routed to the node owning the key's slot).
 *
 * <p>Threading: any thread.
 */
interface RedisLink extends AutoCloseable {

    Duration RECONNECT_FIRST_DELAY = Duration.ofMillis(10);
    Duration RECONNECT_MAX_DELAY = Duration.ofSeconds(1);
    Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

    /** Async commands; every one fails after the command timeout. */
    RedisClusterAsyncCommands<byte[], byte[]> commands();

    /**
     * Whether the command connection is connected now (a disconnected one rejects commands at once). A
     * Cluster link answers true: its node connections come and go behind it, and its readiness is a PING
     * to every slot owner ({@link RedisPing}).
     */
    boolean connected();

    /** Closes the connections and shuts the client down; blocks (shutdown only). */
    @Override
    void close();

    /**
     * Opens a link on {@code resources} (owned by the caller, which shuts them down after the link) whose
     * subscription to {@code channel} hands every message to {@code onMessage}; a null channel: no subscription.
     */
    @FunctionalInterface
    interface Connector {
        RedisLink connect(ClientResources resources, String channel, Consumer<String> onMessage);
    }

    /**
     * Reconnect attempts back off, with jitter, to at most {@link #RECONNECT_MAX_DELAY} (Lettuce's default
     * goes to 30 s), so every link is back within about a second of Redis ({@link ReconnectBackoff}).
     *
     * <p>Flushes are consolidated: Lettuce flushes every command, but the commands an event loop issues while
     * it handles one batch of reads (many exchanges claiming at once) go out in one write at the end of the
     * batch, and Redis reads and answers them together. Nothing waits longer than that batch. Off with
     * {@code -Didemgate.redis.consolidate-flushes=false} (for comparing in benchmarks).
     */
    static ClientResources resources() {
        DefaultClientResources.Builder builder = DefaultClientResources.builder()
                .reconnectDelay(new ReconnectBackoff(RECONNECT_FIRST_DELAY, RECONNECT_MAX_DELAY));
        if (!"false".equals(System.getProperty("idemgate.redis.consolidate-flushes"))) {
            builder.nettyCustomizer(new NettyCustomizer() {
                @Override
                public void afterChannelInitialized(Channel channel) {
                    channel.pipeline().addFirst(new FlushConsolidationHandler(
                            FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true));
                }
            });
        }
        return builder.build();
    }

    /**
     * The URI timeout bounds connecting and the handshake (HELLO, CLIENT SETINFO), which on a cold JVM can
     * outlast a tight command-timeout; commands themselves are bounded by the client's TimeoutOptions.
     */
    static RedisURI uri(String uri, Duration commandTimeout) {
        RedisURI redisUri = RedisURI.create(uri);
        redisUri.setTimeout(commandTimeout.compareTo(HANDSHAKE_TIMEOUT) > 0 ? commandTimeout : HANDSHAKE_TIMEOUT);
        return redisUri;
    }
}
