package io.idemgate.gateway.upstream;

import io.netty.channel.Channel;

/**
 * A pooled keep-alive connection to one origin, held by one exchange at a time. Used only on its
 * channel's event loop.
 */
public final class UpstreamConnection {

    private final Channel channel;
    private final UpstreamResponseReceiver receiver;
    private final LoopPool pool;
    private final String authority;

    UpstreamConnection(Channel channel, UpstreamResponseReceiver receiver, LoopPool pool, String authority) {
        this.channel = channel;
        this.receiver = receiver;
        this.pool = pool;
        this.authority = authority;
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
        pool.release(this, reusable);
    }

    /** Closes the connection: its state is unknown (timeout, truncated exchange, client gone). */
    public void abort() {
        receiver.listener(null);
        channel.close();
    }

    boolean isActive() {
        return channel.isActive();
    }
}
