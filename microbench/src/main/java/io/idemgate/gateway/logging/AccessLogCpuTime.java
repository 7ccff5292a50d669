package io.idemgate.gateway.logging;

import io.idemgate.gateway.exchange.AccessLog;
import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The access log's CPU per line (issue #12, target 1), timed by CPU rather than the wall clock so the shared
 * machine's load matters little. First on one thread, as {@code AccessLogBenchmark}: records and the
 * writer's {@code drain()} in batches of 64, the thread's CPU time per line. Then with the real writer
 * thread: one producer thread plays the event loop,
 * offering lines in bursts at a steady rate (as an event loop answers several requests per wake-up), while
 * {@link AccessLogWriter}'s own thread formats and writes them to a stream built like {@code System.out}.
 * Per line: the producer's time inside {@link AccessLog#record} (summed over bursts by the wall clock, so the
 * pacing's own sleeps do not count) and the writer thread's CPU time (from the JVM, its idle wake-ups
 * included) — the two costs the event loop's core pays when, as in the benchmarks, the gateway runs on one
 * core. Complements {@code AccessLogBenchmark} (one thread, exact bytes) and {@code alloc-per-request.sh}
 * (a real gateway). In the gateway's package for {@code drain()}; a jar of another build put first on the
 * class path measures that build's writer with this same code.
 *
 * <pre>java -Xms1g -Xmx1g -XX:+AlwaysPreTouch -cp microbench/target/idemgate-microbench.jar \
 *     io.idemgate.gateway.logging.AccessLogCpuTime [text|json] [SINK_FILE]</pre>
 */
public final class AccessLogCpuTime {

    private static final int ROUNDS = 7;
    private static final long ROUND_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** Requests a second, and lines per burst. */
    private static final int[][] RATES = {{5_000, 4}, {20_000, 8}, {50_000, 16}};

    private AccessLogCpuTime() {
    }

    public static void main(String[] args) throws Exception {
        boolean json = args.length > 0 && args[0].equals("json");
        String sink = args.length > 1 ? args[1] : "/dev/null";
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        oneThread(json, sink, threads);
        CountingStream counted = new CountingStream(new FileOutputStream(sink));
        PrintStream out = new PrintStream(new BufferedOutputStream(counted, 128), true, StandardCharsets.UTF_8);
        try (AccessLogWriter writer = new AccessLogWriter(json, 8192, out)) {
            long writerId = writerThreadId();
            AccessLog log = new AccessLog(writer);
            System.out.printf(Locale.ROOT, "access log, %s lines to %s; per line: event-loop side (wall time inside record)"
                    + " + writer thread CPU = total, ns%n", json ? "json" : "text", sink);
            for (int[] rate : RATES) {
                round(log, rate[0], rate[1], TimeUnit.SECONDS.toNanos(3), threads, writerId, counted); // warm-up
                long[] producer = new long[ROUNDS];
                long[] writerCpu = new long[ROUNDS];
                long[] total = new long[ROUNDS];
                for (int r = 0; r < ROUNDS; r++) {
                    long[] m = round(log, rate[0], rate[1], ROUND_NANOS, threads, writerId, counted);
                    producer[r] = m[0];
                    writerCpu[r] = m[1];
                    total[r] = m[0] + m[1];
                }
                System.out.printf(Locale.ROOT, "%,7d/s, bursts of %2d: median %4d + %4d = %4d ns, best total %4d ns"
                        + " (totals: %s); dropped %d%n", rate[0], rate[1], median(producer), median(writerCpu),
                        median(total), Arrays.stream(total).min().orElse(0), Arrays.toString(total), writer.dropped());
            }
        }
    }

    /** Records and their formatting and writing on one thread, as the JMH benchmark: CPU ns per line. */
    private static void oneThread(boolean json, String sink, ThreadMXBean threads) throws IOException {
        int batch = 64;
        int lines = 200_000;
        try (PrintStream out = new PrintStream(new BufferedOutputStream(new FileOutputStream(sink), 128), true,
                StandardCharsets.UTF_8)) {
            AccessLogWriter writer = new AccessLogWriter(json, 8192, out, false);
            AccessLog log = new AccessLog(writer);
            long[] perLine = new long[ROUNDS + 3];
            for (int r = 0; r < perLine.length; r++) {
                long start = threads.getCurrentThreadCpuTime();
                for (int sent = 0; sent < lines; sent += batch) {
                    for (int i = 0; i < batch; i++) {
                        log.record("bench", "POST", "/v1/orders", 201, "passthrough", 1_234_567, 2_500_000 + i,
                                "127.0.0.1", "http/1.1");
                    }
                    writer.drain();
                }
                perLine[r] = (threads.getCurrentThreadCpuTime() - start) / lines;
            }
            long[] measured = Arrays.copyOfRange(perLine, 3, perLine.length); // the first three warm up
            System.out.printf(Locale.ROOT, "one thread, record + drain per %d lines: median %d CPU ns per line, best %d"
                    + " (rounds: %s)%n", batch, median(measured), Arrays.stream(measured).min().orElse(0),
                    Arrays.toString(perLine));
        }
    }

    /** @return {producer ns per line, writer CPU ns per line} */
    private static long[] round(AccessLog log, int perSecond, int burst, long nanos, ThreadMXBean threads,
                                long writerId, CountingStream counted) {
        long gap = TimeUnit.SECONDS.toNanos(1) * burst / perSecond;
        long lines = nanos / gap * burst;
        long writer0 = threads.getThreadCpuTime(writerId);
        long inRecord = 0;
        long next = System.nanoTime();
        for (long sent = 0; sent < lines; sent += burst) {
            long t0 = System.nanoTime();
            for (int i = 0; i < burst; i++) {
                log.record("bench", "POST", "/v1/orders", 201, "passthrough", 1_234_567, 2_500_000 + i,
                        "127.0.0.1", "http/1.1");
            }
            long t1 = System.nanoTime();
            inRecord += t1 - t0;
            next += gap;
            for (long now = t1; now < next; now = System.nanoTime()) {
                LockSupport.parkNanos(next - now);
            }
        }
        awaitQuiet(counted);
        long writerCpu = threads.getThreadCpuTime(writerId) - writer0;
        return new long[] {inRecord / lines, writerCpu / lines};
    }

    /** Until the writer has written nothing for 150 ms (it pauses up to 50 ms between rounds). */
    private static void awaitQuiet(CountingStream counted) {
        long seen = -1;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (seen != counted.bytes && System.nanoTime() < deadline) {
            seen = counted.bytes;
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(150));
        }
    }

    private static long writerThreadId() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("idemgate-access-log"))
                .mapToLong(Thread::getId).findFirst()
                .orElseThrow(() -> new IllegalStateException("no access-log writer thread"));
    }

    private static long median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    /** Counts what the writer wrote, to know when it has caught up. */
    private static final class CountingStream extends FilterOutputStream {

        volatile long bytes;

        CountingStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            bytes += len; // one writer thread
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            bytes++;
        }
    }
}
