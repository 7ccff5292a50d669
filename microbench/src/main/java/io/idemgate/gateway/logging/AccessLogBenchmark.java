package io.idemgate.gateway.logging;

import io.idemgate.gateway.exchange.AccessLog;
import java.io.BufferedOutputStream;
import java.io.FileNotFoundException;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The access log's whole cost per line (issue #12, target 1), on one thread: what the event loop does
 * ({@link AccessLog#record}: the record, the clock, the queue offer) and what the writer thread does
 * (drain, format, one write call per batch of {@value #BATCH} lines into a stream built like
 * {@code System.out}, here on {@code /dev/null} or a file). Cross-core effects and the writer's wake-ups
 * are left to {@code AccessLogCpuTime} and {@code alloc-per-request.sh}. With {@code -prof gc} the bytes
 * per line are exact. In the gateway's package (as Netty's microbench does) to call the writer's
 * package-private {@code drain()} instead of starting its thread.
 *
 * <pre>loadtest/scenarios/jmh.sh AccessLog -prof gc</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@Fork(jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class AccessLogBenchmark {

    /** About what the writer finds queued after its 5 ms pause at 15,000 requests a second. */
    static final int BATCH = 64;

    @Param({"text", "json"})
    public String format;

    @Param({"/dev/null"})
    public String sink;

    private AccessLogWriter writer;
    private AccessLog accessLog;
    private PrintStream out;

    @Setup
    public void setUp() throws FileNotFoundException {
        // As System.out: a 128-byte buffer in front of the file, so a batch goes to the file in one write.
        out = new PrintStream(new BufferedOutputStream(new FileOutputStream(sink), 128), true, StandardCharsets.UTF_8);
        writer = new AccessLogWriter(format.equals("json"), 8192, out, false);
        accessLog = new AccessLog(writer);
    }

    @TearDown
    public void tearDown() {
        if (writer.dropped() != 0) {
            throw new IllegalStateException("lines dropped: the benchmark measured the drop path");
        }
        out.close();
    }

    /** A pass-through exchange's line. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int passThroughLine() {
        for (int i = 0; i < BATCH; i++) {
            accessLog.record("bench", "POST", "/v1/orders", 201, "passthrough", 1_234_567, 2_500_000 + i,
                    "127.0.0.1", "http/1.1");
        }
        return writer.drain();
    }

    /** An idempotent exchange's line: a key hash and a fence as well. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int idempotentLine() {
        for (int i = 0; i < BATCH; i++) {
            accessLog.record("payments", "POST", "/v1/payments", 201, "executed", 1_234_567, 2_500_000 + i,
                    "127.0.0.1", "a1b2c3d4e5f60718", 3, "http/1.1");
        }
        return writer.drain();
    }
}
