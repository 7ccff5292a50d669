package io.idemgate.loadtest.fault;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * One direction of a proxied connection: reads {@code from}, writes {@code to}, through the faults of the moment.
 * Every piece read gets a release time (latency, and its turn on the bandwidth) and waits in an ordered queue, so
 * data is never reordered; under a blackhole the queue is not drained and {@code from} is not read, so both ends
 * stall as they would behind a partition, and catch up when it is lifted. A close of {@code from} is passed on only
 * after the data before it. Runs on the connection's event loop only.
 */
final class Pipe extends ChannelInboundHandlerAdapter {

    /** Queued bytes beyond which {@code from} is no longer read (backpressure instead of unbounded buffering). */
    private static final long MAX_QUEUED_BYTES = 1 << 20;

    private record Pending(ByteBuf data, long releaseAtNanos) {
    }

    private final FaultProxy proxy;
    private final Connection connection;
    private final Runnable onActive;
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private Pipe peer;
    private Channel from;
    private Channel to;
    private long queuedBytes;
    private long busyUntilNanos;
    private long lastReleaseNanos;
    private boolean drainScheduled;
    private boolean fromClosed;
    private boolean closePassedOn;

    Pipe(FaultProxy proxy, Connection connection, Runnable onActive) {
        this.proxy = proxy;
        this.connection = connection;
        this.onActive = onActive;
    }

    void peer(Pipe p) {
        this.peer = p;
    }

    /** The other end is connected: data may flow. */
    void connectTo(Channel target) {
        this.to = target;
        resume();
    }

    /** The faults changed: read again if allowed, and release what is due. */
    void resume() {
        updateRead();
        drain();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        from = ctx.channel();
        if (onActive != null) {
            onActive.run();
        }
        updateRead(); // the target side may become active after its connect listener already ran
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf data)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        Faults f = connection.faults();
        long now = System.nanoTime();
        if (f.bytesPerSecond() > 0) {
            // Slices of ~10 ms of bandwidth, so a slow link trickles instead of delivering a 64 KiB read at once.
            int slice = (int) Math.max(1, Math.min(16 * 1024, f.bytesPerSecond() / 100));
            while (data.readableBytes() > slice) {
                enqueue(data.readRetainedSlice(slice), f, now);
            }
        }
        enqueue(data, f, now);
        updateRead();
        drain();
    }

    private void enqueue(ByteBuf data, Faults f, long now) {
        long release = now;
        if (f.bytesPerSecond() > 0) {
            long start = Math.max(now, busyUntilNanos);
            busyUntilNanos = start + data.readableBytes() * 1_000_000_000L / f.bytesPerSecond();
            release = busyUntilNanos;
        }
        release = Math.max(release + f.latencyNanos(), lastReleaseNanos);
        lastReleaseNanos = release;
        queuedBytes += data.readableBytes();
        queue.add(new Pending(data, release));
        proxy.countBytes(data.readableBytes());
    }

    private void drain() {
        if (to == null) {
            return;
        }
        if (!to.isActive()) {
            discardQueue();
            return;
        }
        if (connection.faults().blackhole()) {
            return; // held until the partition is lifted (resume)
        }
        long now = System.nanoTime();
        boolean wrote = false;
        while (!queue.isEmpty() && queue.peek().releaseAtNanos() - now <= 0) {
            Pending p = queue.poll();
            queuedBytes -= p.data().readableBytes();
            to.write(p.data());
            wrote = true;
        }
        if (wrote) {
            to.flush();
        }
        if (!queue.isEmpty() && !drainScheduled) {
            drainScheduled = true;
            to.eventLoop().schedule(() -> {
                drainScheduled = false;
                drain();
            }, queue.peek().releaseAtNanos() - now, TimeUnit.NANOSECONDS);
        }
        if (queue.isEmpty() && fromClosed && !closePassedOn) {
            closePassedOn = true;
            to.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
        updateRead();
    }

    private void updateRead() {
        if (from == null || !from.isActive()) {
            return;
        }
        boolean read = to != null && to.isActive() && to.isWritable() && !connection.faults().blackhole()
                && queuedBytes < MAX_QUEUED_BYTES;
        if (from.config().isAutoRead() != read) {
            from.config().setAutoRead(read);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (peer != null) {
            peer.updateRead(); // our channel is the peer's destination
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        fromClosed = true;
        if (to == null) {
            discardQueue();
        } else {
            drain();
        }
        if (peer != null) {
            peer.drain(); // its destination is gone: it discards what it held and closes its side
        }
        ctx.fireChannelInactive();
    }

    private void discardQueue() {
        while (!queue.isEmpty()) {
            queue.poll().data().release();
        }
        queuedBytes = 0;
        if (from != null && from.isActive()) {
            from.close();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
