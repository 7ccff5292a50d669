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
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
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
 * <p><b>Recovery.</b> Each link reconnects on its own (with jittered backoff, {@link ReconnectBackoff}), so after
 * an outage the loops' links come back up to a second apart. Meanwhile a loop whose link is still down
 * borrows a connected loop's link: the command is written on that loop and answered there (callers hop back
 * anyway), so the store is either up for every loop or down for every loop, and a client never sees it up or
 * down by the loop its connection landed on. Borrowed commands are counted ({@link #borrowed()}).
 *
 * <p>Threading: {@link #commands()} any thread; {@link #watch()} one thread at a time; open and close block
 * (start-up and shutdown only).
 */
final class LoopAffineLinks implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LoopAffineLinks.class);

    private final ClientResources base;
    private final List<ClientResources> loopResources;
    private final EventExecutor[] loops;
    private final LinkHealth[] links;
    private final LongAdder borrowed = new LongAdder();

    private LoopAffineLinks(ClientResources base, List<ClientResources> loopResources, EventExecutor[] loops,
                            LinkHealth[] links) {
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
        LinkHealth[] health = new LinkHealth[links.size()];
        for (int i = 0; i < health.length; i++) {
            health[i] = new LinkHealth(loops.isEmpty() ? "the store" : "loop " + i, links.get(i));
        }
        return new LoopAffineLinks(base, loopResources, loops.toArray(EventExecutor[]::new), health);
    }

    /**
     * The connection of the calling event loop (the first one for any other thread) or, while that one is
     * down, a connected loop's. With none connected, its own, which rejects the command at once.
     */
    RedisClusterAsyncCommands<byte[], byte[]> commands() {
        LinkHealth own = own();
        if (own.usable()) {
            return own.commands();
        }
        for (LinkHealth lender : links) {
            if (lender != own && lender.usable()) {
                borrowed.increment();
                own.borrowing(lender);
                return lender.commands();
            }
        }
        return own.commands();
    }

    /** Whether every loop can reach Redis now, on its own link or a borrowed one. */
    boolean everyLoopServed() {
        for (LinkHealth link : links) {
            if (link.usable()) {
                return true;
            }
        }
        return false;
    }

    /** The commands of every connected link (a Cluster link always counts as connected). */
    List<RedisClusterAsyncCommands<byte[], byte[]>> connectedCommands() {
        List<RedisClusterAsyncCommands<byte[], byte[]>> connected = new ArrayList<>(links.length);
        for (LinkHealth link : links) {
            if (link.usable()) {
                connected.add(link.commands());
            }
        }
        return connected;
    }

    /** Links in {@code state} now. */
    int count(LinkHealth.State state) {
        boolean anyUp = everyLoopServed();
        int n = 0;
        for (LinkHealth link : links) {
            LinkHealth.State s = link.usable() ? LinkHealth.State.UP
                    : anyUp ? LinkHealth.State.BORROWING : LinkHealth.State.DOWN;
            if (s == state) {
                n++;
            }
        }
        return n;
    }

    /** Commands sent on another loop's link since start. */
    long borrowed() {
        return borrowed.sum();
    }

    /**
     * One look at every link (logs each loss and recovery once).
     *
     * @return true if some link is up again since the last look
     */
    boolean watch() {
        boolean cameBack = false;
        for (LinkHealth link : links) {
            cameBack |= link.watch();
        }
        return cameBack;
    }

    private LinkHealth own() {
        for (int i = 0; i < loops.length; i++) {
            if (loops[i].inEventLoop()) {
                return links[i];
            }
        }
        return links[0];
    }

    @Override
    public void close() {
        closeAll(Arrays.stream(links).map(LinkHealth::link).toList(), loopResources, base);
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
