package io.idemgate.gateway.exchange;

import io.idemgate.gateway.http.UpstreamRequestHead;
import io.idemgate.gateway.upstream.UpstreamConnection;
import io.idemgate.gateway.upstream.UpstreamListener;
import io.idemgate.gateway.upstream.UpstreamUnavailableException;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.concurrent.Future;

/**
 * The upstream side of a {@link ProxyExchange}: the pooled connection it holds, the request head as the
 * upstream gets it, the response clock ({@code upstream.response-timeout}, restarted whenever the
 * upstream moves) and the time to the response head. The connection goes back to its pool only when
 * both sides framed cleanly; otherwise it is closed. Event loop only.
 */
final class UpstreamCall {

    private final RequestContext rc;
    private final long timeoutNanos;
    private UpstreamConnection connection;
    private long sentNanos;
    private long answeredNanos = -1;

    UpstreamCall(RequestContext rc) {
        this.rc = rc;
        this.timeoutNanos = rc.route().config().upstream().responseTimeout().toNanos();
    }

    /** Who takes a connection, and what it hears: implemented by the exchange itself, so an acquire makes no callbacks. */
    interface Acquirer {
        /** Whether a connection that arrives now is still wanted; else it is given back unused. */
        boolean stillWanted();

        /** The connection is bound; {@code async}: it came later (a new one had to be made). */
        void connected(boolean async);

        /** No connection: {@code busy} if the pool was at its limit, else the upstream could not be reached. */
        void unavailable(boolean busy);
    }

    /**
     * Takes a connection for {@code listener} and tells {@code acquirer}. When a new connection has to be made,
     * the client is not read meanwhile, so the body held so far waits with it.
     */
    void acquire(UpstreamListener listener, Acquirer acquirer) {
        Future<UpstreamConnection> f = rc.acquireUpstream();
        if (f.isDone()) {
            onAcquired(f, false, listener, acquirer);
        } else {
            rc.connection().pauseReading();
            f.addListener(x -> onAcquired(f, true, listener, acquirer));
        }
    }

    private void onAcquired(Future<UpstreamConnection> f, boolean async, UpstreamListener listener, Acquirer acquirer) {
        boolean want = acquirer.stillWanted();
        if (async && want) {
            rc.connection().resumeReading();
        }
        if (!want) {
            if (f.isSuccess()) {
                f.getNow().release(true); // the exchange ended while it was being made: unused, so reusable
            }
            return;
        }
        if (!f.isSuccess()) {
            acquirer.unavailable(f.cause() instanceof UpstreamUnavailableException u
                    && u.reason() == UpstreamUnavailableException.Reason.POOL_EXHAUSTED);
            return;
        }
        connection = f.getNow();
        connection.bind(listener);
        acquirer.connected(async);
    }

    boolean attached() {
        return connection != null;
    }

    Channel channel() {
        return connection.channel();
    }

    /** Writes the head with the gateway's framing and forwarding headers (not flushed); the call is timed from here. */
    void writeHead(HttpRequest request, boolean chunked, long length) {
        String client = rc.connection().clientAddress(); // "-": not an IP connection
        // Written by the upstream codec straight from the decoded request, which stays as the client sent it.
        UpstreamRequestHead head = new UpstreamRequestHead(request, rc.line().uri(), chunked, length,
                rc.line().absoluteForm() ? rc.line().host() : null, connection.authority(),
                "-".equals(client) ? null : client, rc.connection().scheme(), rc.services().forwarded());
        sentNanos = System.nanoTime();
        Channel up = connection.channel();
        up.write(head, up.voidPromise());
    }

    /** The upstream moved (or the client can take more again): the response clock starts over. */
    void restartClock() {
        if (connection != null) {
            connection.deadline(System.nanoTime() + timeoutNanos);
        }
    }

    /**
     * The client is slower than the upstream: stop reading the upstream, and stop its clock, since the
     * wait is the client's doing.
     */
    void pauseReading() {
        connection.channel().config().setAutoRead(false);
        connection.clearDeadline();
    }

    void resumeReading() {
        if (connection != null) {
            connection.channel().config().setAutoRead(true);
            restartClock();
        }
    }

    /** The response head arrived. @return the time since the head was sent */
    long answered() {
        answeredNanos = System.nanoTime() - sentNanos;
        return answeredNanos;
    }

    /** Time since the head was sent. */
    long elapsed() {
        return System.nanoTime() - sentNanos;
    }

    /** Time to the response head, or -1 if none came. */
    long answeredNanos() {
        return answeredNanos;
    }

    /** Hands the connection back; it is pooled only if {@code reusable}. */
    void release(boolean reusable) {
        UpstreamConnection c = connection;
        connection = null;
        c.release(reusable);
    }

    /** Drops the connection: its state is unknown, so it closes. */
    void abort() {
        if (connection != null) {
            UpstreamConnection c = connection;
            connection = null;
            c.abort();
        }
    }

    /** The connection closed by itself. */
    void closed() {
        connection = null;
    }
}
