package io.idemgate.gateway.logging;

import io.netty.util.internal.PlatformDependent;
import java.io.PrintStream;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes access lines off the event loops: an event loop only offers a small record to a bounded queue
 * (never waits: a full queue drops the line and counts it); one daemon thread formats what has queued
 * and writes it to stdout in batches, one write call per batch rather than one per line. That is what
 * keeps the default access log to a few microseconds of CPU per request.
 *
 * <p>The queue is a lock-free array queue for many producers and one consumer (JCTools', shaded in
 * Netty): an offer is one compare-and-set, and an event loop never meets a lock the writer holds (a
 * {@code ArrayBlockingQueue}'s {@code drainTo} holds its lock for the whole batch). The writer is never
 * woken per line, which would cost the event loop a futex call per request: it sleeps between rounds, and
 * its wake-ups, not the lines, were most of its cost (a timed wake-up costs tens of microseconds of CPU on
 * a VM, as much as a hundred lines). So the pause adapts to the load: it doubles, up to
 * {@value #MAX_PARK_MILLIS} ms, while a round finds fewer than 1/32 of the queue's capacity, and halves,
 * down to {@value #MIN_PARK_MILLIS} ms, while it finds more than 1/8 — the queue stays far from full
 * (lines drop only if the rate jumps past {@code capacity} per {@value #MAX_PARK_MILLIS} ms at once, 164,000
 * a second for the gateway's 8,192) and a line reaches the log within that time.
 *
 * <p>Batches go through {@code System.out} under its lock, the stream logback's console appender writes
 * to, so an access batch and another log line never interleave within a line.
 */
public final class AccessLogWriter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AccessLogWriter.class);
    private static final int BATCH_LINES = 512;
    private static final long MIN_PARK_MILLIS = 1;
    private static final long MAX_PARK_MILLIS = 50;
    private static final long DROP_REPORT_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final Queue<AccessRecord> queue;
    private final AccessLineFormat format;
    private final PrintStream out;
    private final LongAdder dropped = new LongAdder();
    private final Thread thread;
    private final LineBuffer lines = new LineBuffer(64 * 1024);
    private final int few;
    private final int many;
    private long parkNanos = TimeUnit.MILLISECONDS.toNanos(MAX_PARK_MILLIS);
    private volatile boolean closed;
    private long droppedReported;
    private long lastDropReport = System.nanoTime();

    /** @param capacity lines that may wait for the writer (rounded up to a power of two); beyond it lines are dropped and counted */
    public AccessLogWriter(boolean json, int capacity, PrintStream out) {
        this(json, capacity, out, true);
    }

    /** @param start false for a benchmark that calls {@link #drain()} itself instead of the writer thread */
    AccessLogWriter(boolean json, int capacity, PrintStream out, boolean start) {
        this.queue = PlatformDependent.newFixedMpscQueue(capacity);
        this.few = Math.max(1, capacity / 32);
        this.many = Math.max(2, capacity / 8);
        this.format = new AccessLineFormat(json);
        this.out = out;
        this.thread = new Thread(this::run, "idemgate-access-log");
        this.thread.setDaemon(true);
        if (start) {
            this.thread.start();
        }
    }

    /** Queues one line, stamped with the time and the calling thread; never blocks. */
    public void record(String route, String method, String path, int status, String outcome,
                       long upstreamNanos, long totalNanos, String client, String keyHash, long fence, String protocol) {
        offer(new AccessRecord(System.currentTimeMillis(), Thread.currentThread().getName(), route, method, path,
                status, outcome, upstreamNanos, totalNanos, client, keyHash, fence, protocol));
    }

    /** @return false if the queue was full and the line was dropped */
    boolean offer(AccessRecord record) {
        if (queue.offer(record)) {
            return true;
        }
        dropped.increment();
        return false;
    }

    /** Lines dropped because the queue was full, since start. */
    public long dropped() {
        return dropped.sum();
    }

    /** Writes what is queued, then stops the writer thread. */
    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(thread);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        while (true) {
            int round = 0;
            for (int n; (n = drain()) > 0; ) {
                round += n;
            }
            reportDrops();
            if (closed && queue.isEmpty()) {
                return;
            }
            adaptPause(round);
            LockSupport.parkNanos(this, parkNanos);
        }
    }

    /** Longer pauses while rounds find few lines, shorter while they find many; see the class comment. */
    private void adaptPause(int round) {
        if (round < few) {
            parkNanos = Math.min(parkNanos * 2, TimeUnit.MILLISECONDS.toNanos(MAX_PARK_MILLIS));
        } else if (round > many) {
            parkNanos = Math.max(parkNanos / 2, TimeUnit.MILLISECONDS.toNanos(MIN_PARK_MILLIS));
        }
    }

    /** Formats and writes up to one batch of what is queued: the writer thread's work. @return lines written */
    int drain() {
        int n = 0;
        for (AccessRecord r; n < BATCH_LINES && (r = queue.poll()) != null; n++) {
            format.append(lines, r);
        }
        if (n > 0) {
            synchronized (out) {
                out.write(lines.array(), 0, lines.length());
                out.flush();
            }
            lines.clear();
        }
        return n;
    }

    private void reportDrops() {
        long now = System.nanoTime();
        if (now - lastDropReport < DROP_REPORT_EVERY_NANOS) {
            return;
        }
        lastDropReport = now;
        long total = dropped.sum();
        if (total > droppedReported) {
            log.warn("access log could not keep up: {} lines dropped in the last {} s (idemgate_access_log_dropped_total)",
                    total - droppedReported, TimeUnit.NANOSECONDS.toSeconds(DROP_REPORT_EVERY_NANOS));
            droppedReported = total;
        }
    }
}
