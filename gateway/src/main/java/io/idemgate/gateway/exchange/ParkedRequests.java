package io.idemgate.gateway.exchange;

import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * Requests pipelined behind a connection's current exchange, parked in order until it ends. Bounded by
 * what one connection may hold unasked: past {@link #MAX_PARKED} messages or {@link #MAX_PARKED_BYTES}
 * body bytes the queue is full and the connection stops reading, until half of it is served. One per
 * connection; event loop only; owns what is parked until it is taken or cleared.
 */
final class ParkedRequests {

    /** Parked pipelined messages beyond which the connection stops reading until they are served. */
    static final int MAX_PARKED = 64;
    /** Parked body bytes beyond which the connection stops reading: what one connection may hold unasked. */
    static final int MAX_PARKED_BYTES = 64 * 1024;

    private final ArrayDeque<HttpObject> parked = new ArrayDeque<>();
    private long bytes;
    private boolean full;

    boolean isEmpty() {
        return parked.isEmpty();
    }

    /** @return true if this filled the queue: the connection is to stop reading */
    boolean park(HttpObject msg) {
        parked.add(msg);
        if (msg instanceof HttpContent c) {
            bytes += c.content().readableBytes();
        }
        if (!full && (parked.size() >= MAX_PARKED || bytes > MAX_PARKED_BYTES)) {
            full = true;
            return true;
        }
        return false;
    }

    /** Whether the next parked message starts a request (so it waits for the current exchange to end). */
    boolean nextIsRequest() {
        return parked.peek() instanceof HttpRequest;
    }

    /** The oldest parked message, now the caller's; null if none. */
    HttpObject take() {
        HttpObject next = parked.poll();
        if (next instanceof HttpContent c) {
            bytes -= c.content().readableBytes();
        }
        if (full && parked.size() < MAX_PARKED / 2 && bytes <= MAX_PARKED_BYTES / 2) {
            full = false; // half served: reading again will not refill it at once
        }
        return next;
    }

    /** Whether the queue holds the connection's reading off. */
    boolean full() {
        return full;
    }

    /** The connection closed: everything parked is released. */
    void clear() {
        HttpObject m;
        while ((m = parked.poll()) != null) {
            ReferenceCountUtil.release(m);
        }
        bytes = 0;
    }
}
