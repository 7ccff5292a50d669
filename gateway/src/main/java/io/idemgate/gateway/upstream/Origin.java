package io.idemgate.gateway.upstream;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.ConcurrentHashMap;

/** One upstream URL, with one {@link LoopPool} per event loop that has talked to it. */
final class Origin {

    private final String name;
    private final InetSocketAddress address;
    private final Bootstrap template;
    private final int maxOpenPerLoop;
    private final int maxWaitersPerLoop;
    private final long waitTimeoutMillis;
    private final ConcurrentHashMap<EventLoop, LoopPool> pools = new ConcurrentHashMap<>();

    Origin(URI url, Bootstrap template, int maxOpenPerLoop, int maxWaitersPerLoop, long waitTimeoutMillis) {
        boolean https = "https".equals(url.getScheme());
        int port = url.getPort() > 0 ? url.getPort() : https ? 443 : 80;
        this.name = (https ? "https://" : "http://") + url.getHost() + ":" + port;
        // Resolved once, here on the starting thread: resolving at connect time would run the JDK's
        // blocking resolver on an event loop. A DNS change is picked up by a reload.
        this.address = new InetSocketAddress(url.getHost(), port);
        this.template = template;
        this.maxOpenPerLoop = maxOpenPerLoop;
        this.maxWaitersPerLoop = maxWaitersPerLoop;
        this.waitTimeoutMillis = waitTimeoutMillis;
    }

    LoopPool pool(EventLoop loop) {
        LoopPool pool = pools.get(loop);
        return pool != null ? pool : pools.computeIfAbsent(loop, l -> new LoopPool(
                l, template.clone(l), address, name, maxOpenPerLoop, maxWaitersPerLoop, waitTimeoutMillis));
    }

    void close() {
        pools.forEach((loop, pool) -> loop.execute(pool::close));
    }

    String name() {
        return name;
    }
}
