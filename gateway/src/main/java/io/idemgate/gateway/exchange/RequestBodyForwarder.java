package io.idemgate.gateway.exchange;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.ArrayDeque;

/**
 * The client → upstream half of an exchange: the request body's parts, held while the upstream
 * connection is being acquired (at most one read's worth, since reading pauses meanwhile), then written
 * as they come. Backpressure: when the upstream's buffer is full, reading from the client stops until it
 * drains. Once stopped (upstream gone or released, exchange over), parts are dropped, never written to a
 * connection that may already serve another exchange. Used on the exchange's event loop.
 */
final class RequestBodyForwarder {

    private final ClientRequestReceiver receiver;
    private final Runnable onSent;
    private final ArrayDeque<HttpContent> held = new ArrayDeque<>(4);
    private long heldBytes;
    private Channel upstream;
    private boolean complete;
    private boolean sent;
    private boolean stopped;

    /** @param onSent runs when the last part has been written: the upstream's turn to answer begins */
    RequestBodyForwarder(ClientRequestReceiver receiver, Runnable onSent) {
        this.receiver = receiver;
        this.onSent = onSent;
    }

    /** Takes ownership of {@code part}. */
    void offer(HttpContent part) {
        if (part instanceof LastHttpContent) {
            complete = true;
        }
        if (stopped || sent) {
            part.release();
        } else if (upstream == null) {
            held.add(part);
            heldBytes += part.content().readableBytes();
        } else {
            write(part);
        }
    }

    /** The upstream connection is ready and the request head written: the held parts follow it. */
    void attach(Channel upstreamChannel) {
        if (stopped) {
            return;
        }
        upstream = upstreamChannel;
        HttpContent part;
        while ((part = held.poll()) != null) {
            write(part);
        }
        heldBytes = 0;
    }

    /** Body bytes held until an upstream connection is attached. */
    long heldBytes() {
        return heldBytes;
    }

    /** End of a client read burst: one flush for all the parts it brought. */
    void flush() {
        if (upstream != null && !sent && !stopped) {
            upstream.flush();
        }
    }

    void stop() {
        stopped = true;
        upstream = null;
        HttpContent part;
        while ((part = held.poll()) != null) {
            part.release();
        }
        heldBytes = 0;
    }

    /** Whether the client has sent the whole request. */
    boolean complete() {
        return complete;
    }

    /** Whether the whole request has been written to the upstream. */
    boolean sent() {
        return sent;
    }

    private void write(HttpContent part) {
        if (part instanceof LastHttpContent last) {
            sent = true;
            if (!last.trailingHeaders().isEmpty()) {
                // Request trailers are not forwarded: a trailer may not carry framing or routing fields
                // (RFC 9110 §6.5.1), and the gateway has no use for the rest.
                part = new DefaultLastHttpContent(last.content().retain());
                last.release();
            }
            upstream.writeAndFlush(part, upstream.voidPromise());
            onSent.run();
        } else {
            upstream.write(part, upstream.voidPromise());
            if (!upstream.isWritable()) {
                receiver.pauseReading(); // the upstream is slower than the client: stop reading the client
            }
        }
    }
}
