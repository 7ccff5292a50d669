package io.idemgate.gateway.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A handler with one timer on its channel's event loop (a request clock, say), cancelled when the
 * handler is removed or the channel goes. Scheduling again replaces the timer; {@link #expired} runs on
 * the loop with the timer cleared, so it may schedule the next one. Event loop only.
 */
public abstract class TimedHandler extends ChannelInboundHandlerAdapter {

    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> timer;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancel();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        ctx.fireChannelInactive();
    }

    /** The context this handler was added with. */
    protected final ChannelHandlerContext ctx() {
        return ctx;
    }

    /** Whether a timer is set. */
    protected final boolean scheduled() {
        return timer != null;
    }

    protected final void schedule(long delayNanos) {
        cancel();
        timer = ctx.executor().schedule(this::fire, delayNanos, TimeUnit.NANOSECONDS);
    }

    protected final void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void fire() {
        timer = null;
        expired();
    }

    /** The timer went off; on the event loop. */
    protected abstract void expired();
}
