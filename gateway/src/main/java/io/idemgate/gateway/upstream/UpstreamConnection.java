package io.idemgate.gateway.upstream;

import io.netty.channel.Channel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A pooled keep-alive connection to one origin, held by one exchange at a time. Used only on its
 * channel's event loop.
 *
 * <p>It carries the response deadline of the exchange that holds it. One watchdog task per connection
 * checks it and re-arms itself only when it fires, so the per-request cost of a timeout is a field
 * write, not a scheduled task.
 */
public final class UpstreamConnection {

    private final Channel channel;
    private final UpstreamResponseReceiver receiver;
    private final LoopPool pool;
    private final String authority;
    /** This connection as an acquire's answer, made once: a pool hands out an idle one with no new future. */
    private final Future<UpstreamConnection> asAcquired;
    private long deadline = NO_DEADLINE;
    private ScheduledFuture<?> watchdog;
    private static final long NO_DEADLINE = Long.MAX_VALUE;

    UpstreamConnection(Channel channel, UpstreamResponseReceiver receiver, LoopPool pool, String authority) {
        this.channel = channel;
        this.receiver = receiver;
        this.pool = pool;
        this.authority = authority;
        this.asAcquired = channel.eventLoop().newSucceededFuture(this);
    }

    /** A completed future of this connection; immutable, so every acquire that takes it may share it. */
    Future<UpstreamConnection> asAcquired() {
        return asAcquired;
    }

    public Channel channel() {
        return channel;
    }

    /** {@code host:port} of the origin: the Host header for a request that came without one. */
    public String authority() {
        return authority;
    }

    /** Routes this connection's responses to {@code listener} until release or abort. */
    public void bind(UpstreamListener listener) {
        receiver.listener(listener);
    }

    /** Hands the connection back; it is pooled only if {@code reusable} and still open. */
    public void release(boolean reusable) {
        receiver.listener(null);
        deadline = NO_DEADLINE;
        if (!channel.config().isAutoRead()) {
            channel.config().setAutoRead(true);
        }
        pool.release(this, reusable);
    }

    /** Closes the connection: its state is unknown (timeout, truncated exchange, client gone). */
    public void abort() {
        receiver.listener(null);
        deadline = NO_DEADLINE;
        channel.close();
    }

    /** The holder hears {@link UpstreamListener#onUpstreamDeadline} if nothing moves this deadline before it. */
    public void deadline(long nanoTime) {
        deadline = nanoTime;
        if (watchdog == null) {
            watchdog = channel.eventLoop().schedule(this::checkDeadline, nanoTime - System.nanoTime(), TimeUnit.NANOSECONDS);
        }
    }

    /** No deadline: the holder itself paused the upstream, or is done with it. */
    public void clearDeadline() {
        deadline = NO_DEADLINE;
    }

    private void checkDeadline() {
        watchdog = null;
        if (deadline == NO_DEADLINE || !channel.isActive()) {
            return;
        }
        long left = deadline - System.nanoTime();
        if (left > 0) {
            watchdog = channel.eventLoop().schedule(this::checkDeadline, left, TimeUnit.NANOSECONDS);
            return;
        }
        deadline = NO_DEADLINE;
        UpstreamListener l = receiver.listener();
        if (l != null) {
            l.onUpstreamDeadline();
        }
    }

    void cancelWatchdog() {
        if (watchdog != null) {
            watchdog.cancel(false);
            watchdog = null;
        }
    }

    boolean isActive() {
        return channel.isActive();
    }
}
