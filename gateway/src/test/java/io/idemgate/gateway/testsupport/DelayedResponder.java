package io.idemgate.gateway.testsupport;

import io.netty.buffer.ByteBuf;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@link Behaviour#delay}: holds the request's body pieces until the request is complete and the
 * delay has passed (scheduled on the event loop), then replays the exchange into the next behaviour.
 */
final class DelayedResponder implements Behaviour.Responder {

    private final UpstreamExchange exchange;
    private final Duration delay;
    private final Behaviour then;
    private final List<ByteBuf> held = new ArrayList<>();
    private ScheduledFuture<?> timer;
    private Behaviour.Responder next;

    DelayedResponder(UpstreamExchange exchange, Duration delay, Behaviour then) {
        this.exchange = exchange;
        this.delay = delay;
        this.then = then;
    }

    @Override
    public void onBody(ByteBuf piece) {
        held.add(piece.retainedDuplicate());
    }

    @Override
    public void onComplete() {
        timer = exchange.executor().schedule(this::proceed, delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void proceed() {
        if (!exchange.isOpen()) {
            releaseHeld();
            return;
        }
        next = then.begin(exchange);
        for (ByteBuf piece : held) {
            try {
                next.onBody(piece);
            } finally {
                piece.release();
            }
        }
        held.clear();
        next.onComplete();
    }

    @Override
    public void onWritable() {
        if (next != null) {
            next.onWritable();
        }
    }

    @Override
    public void onClosed() {
        if (timer != null) {
            timer.cancel(false);
        }
        releaseHeld();
        if (next != null) {
            next.onClosed();
        }
    }

    private void releaseHeld() {
        held.forEach(ByteBuf::release);
        held.clear();
    }
}
