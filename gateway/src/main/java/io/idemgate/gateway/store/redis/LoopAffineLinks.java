package io.idemgate.gateway.store.redis;

import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.EventLoopGroupProvider;
import io.lettuce.core.resource.Transports;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One command connection per gateway event loop, each served by that same loop. An exchange then talks to
 * Redis without leaving its thread: the command is written where it is issued and its reply completes the
 * exchange's future on the exchange's loop. With Lettuce's own threads every store call cost two thread
 * hand-offs (wake-ups, context switches on a busy core), which measured as most of the Redis path's cost.
 *
 * <p>Without gateway loops (a store built alone, or a Lettuce transport that does not match the gateway's),
 * one connection on Lettuce's own threads serves every caller, as before. The pub/sub subscription lives on
 * the first link only: one message per completion, whichever loop the waiter is on.
 *
 * <p>Threading: {@link #commands()} any thread; open and close block (start-up and shutdown only).
 */
final class LoopAffineLinks implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LoopAffineLinks.class);

    private final ClientResources base;
    private final List<ClientResources> loopResources;
    private final EventExecutor[] loops;
    private final RedisLink[] links;

    private LoopAffineLinks(ClientResources base, List<ClientResources> loopResources, EventExecutor[] loops,
                            RedisLink[] links) {
        this.base = base;
        this.loopResources = loopResources;
        this.loops = loops;
        this.links = links;
    }

    /**
     * @param group the gateway's event loops, or null for Lettuce's own threads
     * @param channelType the socket channel type of {@code group}'s transport (Lettuce must use the same)
     */
    static LoopAffineLinks open(RedisLink.Connector connector, EventLoopGroup group, Class<? extends Channel> channelType,
                                String channel, Consumer<String> onMessage) {
        ClientResources base = RedisLink.resources();
        List<EventExecutor> loops = new ArrayList<>();
        if (group != null && Transports.socketChannelClass() == channelType) {
            group.forEach(loops::add);
        } else if (group != null) {
            log.info("redis store on Lettuce's own threads: its transport {} differs from the gateway's {}",
                    Transports.socketChannelClass().getSimpleName(), channelType.getSimpleName());
        }
        List<ClientResources> loopResources = new ArrayList<>();
        List<RedisLink> links = new ArrayList<>();
        try {
            if (loops.isEmpty()) {
                links.add(connector.connect(base, channel, onMessage));
            }
            for (EventExecutor loop : loops) {
                ClientResources resources = base.mutate().eventLoopGroupProvider(new OneLoop((EventLoop) loop)).build();
                loopResources.add(resources);
                links.add(connector.connect(resources, links.isEmpty() ? channel : null, onMessage));
            }
        } catch (RuntimeException e) {
            closeAll(links, loopResources, base);
            throw e;
        }
        return new LoopAffineLinks(base, loopResources, loops.toArray(EventExecutor[]::new), links.toArray(RedisLink[]::new));
    }

    /** The connection of the calling event loop; the first one for any other thread. */
    RedisClusterAsyncCommands<byte[], byte[]> commands() {
        for (int i = 0; i < loops.length; i++) {
            if (loops[i].inEventLoop()) {
                return links[i].commands();
            }
        }
        return links[0].commands();
    }

    @Override
    public void close() {
        closeAll(List.of(links), loopResources, base);
    }

    private static void closeAll(List<RedisLink> links, List<ClientResources> loopResources, ClientResources base) {
        links.forEach(RedisLink::close);
        // Mutated resources share base's components and leave them (and the gateway's loop) running.
        loopResources.forEach(ClientResources::shutdown);
        base.shutdown();
    }

    /** Hands Lettuce one gateway loop for every connection of a client, and never shuts it down. */
    private record OneLoop(EventLoop loop) implements EventLoopGroupProvider {

        @Override
        @SuppressWarnings("unchecked")
        public <T extends EventLoopGroup> T allocate(Class<T> type) {
            return (T) loop;
        }

        @Override
        public int threadPoolSize() {
            return 1;
        }

        @Override
        public Future<Boolean> release(EventExecutorGroup group, long quietPeriod, long timeout, TimeUnit unit) {
            return ImmediateEventExecutor.INSTANCE.newSucceededFuture(true);
        }

        @Override
        public Future<Boolean> shutdown(long quietPeriod, long timeout, TimeUnit unit) {
            return ImmediateEventExecutor.INSTANCE.newSucceededFuture(true);
        }
    }
}
