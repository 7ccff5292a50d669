package io.idemgate.gateway.logging;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
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
 * <p>Batches go through {@code System.out} under its lock, the stream logback's console appender writes
 * to, so an access batch and another log line never interleave within a line.
 */
public final class AccessLogWriter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AccessLogWriter.class);
    private static final int BATCH_LINES = 512;
    private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    private static final long DROP_REPORT_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final BlockingQueue<AccessRecord> queue;
    private final AccessLineFormat format;
    private final PrintStream out;
    private final LongAdder dropped = new LongAdder();
    private final Thread thread;
    private final List<AccessRecord> batch = new ArrayList<>(BATCH_LINES);
    private final StringBuilder text = new StringBuilder(BATCH_LINES * 256);
    private volatile boolean closed;
    private long droppedReported;
    private long lastDropReport = System.nanoTime();

    /** @param capacity lines that may wait for the writer; beyond it lines are dropped and counted */
    public AccessLogWriter(boolean json, int capacity, PrintStream out) {
        this(json, capacity, out, true);
    }

    /** @param start false for a benchmark that calls {@link #drain()} itself instead of the writer thread */
    AccessLogWriter(boolean json, int capacity, PrintStream out, boolean start) {
        this.queue = new ArrayBlockingQueue<>(capacity);
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
            if (drain() == 0) {
                if (closed) {
                    return;
                }
                reportDrops();
                LockSupport.parkNanos(this, IDLE_PARK_NANOS);
            }
        }
    }

    /** Formats and writes up to one batch of what is queued: the writer thread's work. @return lines written */
    int drain() {
        queue.drainTo(batch, BATCH_LINES);
        int n = batch.size();
        if (n == 0) {
            return 0;
        }
        for (int i = 0; i < n; i++) {
            format.append(text, batch.get(i));
        }
        batch.clear();
        write(text);
        text.setLength(0);
        return n;
    }

    private void write(StringBuilder text) {
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        synchronized (out) {
            out.write(bytes, 0, bytes.length);
            out.flush();
        }
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
