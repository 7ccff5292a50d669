package io.idemgate.gateway.upstream;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * The connections to one origin owned by one event loop. Everything here runs on that loop, so there is
 * no locking, and a connection always lives on the loop of the client channel that uses it.
 * Bounded: at most {@code maxOpen} connections and {@code maxWaiters} queued acquires.
 */
final class LoopPool {

    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final InetSocketAddress address;
    private final String origin;
    private final int maxOpen;
    private final int maxWaiters;
    private final long waitTimeoutMillis;

    private final ArrayDeque<UpstreamConnection> idle = new ArrayDeque<>();
    private final ArrayDeque<Promise<UpstreamConnection>> waiters = new ArrayDeque<>();
    private int open;
    private boolean closed;

    LoopPool(EventLoop loop, Bootstrap bootstrap, InetSocketAddress address, String origin,
             int maxOpen, int maxWaiters, long waitTimeoutMillis) {
        this.loop = loop;
        this.bootstrap = bootstrap;
        this.address = address;
        this.origin = origin;
        this.maxOpen = maxOpen;
        this.maxWaiters = maxWaiters;
        this.waitTimeoutMillis = waitTimeoutMillis;
    }

    Future<UpstreamConnection> acquire() {
        assert loop.inEventLoop();
        if (closed) {
            return loop.newFailedFuture(unavailable(UpstreamUnavailableException.Reason.CONNECT_FAILED, "pool closed", null));
        }
        UpstreamConnection c;
        // Most recently used first: it is the least likely to have been closed by the origin's idle timer.
        while ((c = idle.pollLast()) != null) {
            if (c.isActive()) {
                return c.asAcquired();
            }
        }
        Promise<UpstreamConnection> promise = loop.newPromise();
        if (open < maxOpen) {
            connect(promise);
        } else if (waiters.size() < maxWaiters) {
            enqueue(promise);
        } else {
            promise.setFailure(unavailable(UpstreamUnavailableException.Reason.POOL_EXHAUSTED,
                    "connection limit " + maxOpen + " and queue " + maxWaiters + " to " + origin + " reached", null));
        }
        return promise;
    }

    void release(UpstreamConnection connection, boolean reusable) {
        assert loop.inEventLoop();
        if (!reusable || closed || !connection.isActive()) {
            connection.channel().close();
            return;
        }
        Promise<UpstreamConnection> waiter;
        while ((waiter = waiters.poll()) != null) {
            if (waiter.trySuccess(connection)) {
                return;
            }
        }
        idle.addLast(connection);
    }

    /** Closes idle connections and refuses new acquires; busy ones close when their exchange releases them. */
    void close() {
        assert loop.inEventLoop();
        closed = true;
        UpstreamConnection c;
        while ((c = idle.poll()) != null) {
            c.channel().close();
        }
        Promise<UpstreamConnection> w;
        while ((w = waiters.poll()) != null) {
            w.tryFailure(unavailable(UpstreamUnavailableException.Reason.CONNECT_FAILED, "pool closed", null));
        }
    }

    private void enqueue(Promise<UpstreamConnection> promise) {
        waiters.add(promise);
        ScheduledFuture<?> timer = loop.schedule(() -> {
            if (waiters.remove(promise)) {
                promise.tryFailure(unavailable(UpstreamUnavailableException.Reason.POOL_EXHAUSTED,
                        "no connection to " + origin + " became free within " + waitTimeoutMillis + " ms", null));
            }
        }, waitTimeoutMillis, TimeUnit.MILLISECONDS);
        promise.addListener(f -> timer.cancel(false));
    }

    private void connect(Promise<UpstreamConnection> promise) {
        open++;
        ChannelFuture cf = bootstrap.connect(address);
        cf.addListener(f -> {
            if (!f.isSuccess()) {
                open--;
                promise.tryFailure(unavailable(UpstreamUnavailableException.Reason.CONNECT_FAILED,
                        "cannot connect to " + origin + ": " + f.cause().getMessage(), f.cause()));
                return;
            }
            Channel ch = cf.channel();
            SslHandler tls = ch.pipeline().get(SslHandler.class);
            if (tls == null) {
                connected(ch, promise);
                return;
            }
            // Only a finished handshake makes a connection: one that fails has sent nothing, so the exchange
            // answers 502 and releases the key instead of treating the request as possibly executed.
            tls.handshakeFuture().addListener(h -> {
                if (h.isSuccess()) {
                    connected(ch, promise);
                } else {
                    open--;
                    ch.close();
                    promise.tryFailure(unavailable(UpstreamUnavailableException.Reason.CONNECT_FAILED,
                            "TLS handshake with " + origin + " failed: " + h.cause().getMessage(), h.cause()));
                }
            });
        });
    }

    private void connected(Channel ch, Promise<UpstreamConnection> promise) {
        UpstreamConnection connection = new UpstreamConnection(
                ch, ch.pipeline().get(UpstreamResponseReceiver.class), this, address.getHostString() + ":" + address.getPort());
        ch.closeFuture().addListener(x -> onClosed(connection));
        if (!promise.trySuccess(connection)) {
            release(connection, true);
        }
    }

    private void onClosed(UpstreamConnection connection) {
        open--;
        connection.cancelWatchdog();
        idle.remove(connection);
        if (!waiters.isEmpty() && open < maxOpen && !closed) {
            Promise<UpstreamConnection> next = waiters.poll();
            connect(next);
        }
    }

    private static UpstreamUnavailableException unavailable(
            UpstreamUnavailableException.Reason reason, String message, Throwable cause) {
        return new UpstreamUnavailableException(reason, message, cause);
    }
}
