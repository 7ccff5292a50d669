package io.idemgate.gateway.testsupport;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * What a {@link TestUpstream} does with a request. {@link #begin} is called when the request head
 * arrives and returns the {@link Responder} that sees the rest of that exchange, so a behaviour
 * keeps per-exchange state in its responder and can be shared between connections.
 */
@FunctionalInterface
public interface Behaviour {

    Responder begin(UpstreamExchange exchange);

    /** The callbacks of one exchange, all on the connection's event loop. */
    interface Responder {
        /** A piece of the request body; valid only during the call (retain it to keep it). */
        default void onBody(ByteBuf piece) {
        }

        /** The request has been received in full (and recorded). */
        void onComplete();

        /** The connection became writable again. */
        default void onWritable() {
        }

        /** The connection closed, whatever state the exchange was in. */
        default void onClosed() {
        }
    }

    /** 200 streaming the request body back (same framing as the request), request headers as {@code X-Echo-<name>}. */
    static Behaviour echo() {
        return EchoResponder::new;
    }

    static Behaviour respond(int status, Map<String, String> headers, byte[] body) {
        byte[] copy = body.clone();
        return exchange -> () -> exchange.respond(status, headers, copy);
    }

    static Behaviour respond(int status, Map<String, String> headers, String body) {
        return respond(status, headers, body.getBytes(StandardCharsets.UTF_8));
    }

    static Behaviour respond(int status, String body) {
        return respond(status, Map.of("Content-Type", "text/plain; charset=utf-8"), body);
    }

    /**
     * Like a real create endpoint: 201 with a fresh id per execution ({@code {"id":"res_N"}}) and a
     * {@code Location}, so a replay can be told from a second execution by its body.
     */
    static Behaviour created() {
        java.util.concurrent.atomic.AtomicLong ids = new java.util.concurrent.atomic.AtomicLong();
        return exchange -> () -> {
            long id = ids.incrementAndGet();
            exchange.respond(201, Map.of("Content-Type", "application/json", "Location", "/r/res_" + id),
                    ("{\"id\":\"res_" + id + "\"}").getBytes(StandardCharsets.UTF_8));
        };
    }

    /** Runs {@code then} once the request is complete and {@code delay} has passed; the body is buffered meanwhile. */
    static Behaviour delay(Duration delay, Behaviour then) {
        return exchange -> new DelayedResponder(exchange, delay, then);
    }

    /** 200 with Content-Length {@code bytes} of {@link DeterministicBytes}, written only while the connection is writable. */
    static Behaviour download(long bytes) {
        return exchange -> new DownloadResponder(exchange, bytes);
    }

    /** Sends a head promising 1000 bytes, 100 of them, then closes: a truncated response. */
    static Behaviour closeAfterHeaders() {
        return TruncatingResponder::new;
    }

    /** Reads the whole request, then closes without a byte of response. */
    static Behaviour closeWithoutResponse() {
        return exchange -> exchange::close;
    }

    /** Reads the whole request and never answers. */
    static Behaviour never() {
        return exchange -> () -> {
        };
    }
}
