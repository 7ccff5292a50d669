package io.idemgate.microbench;

import io.idemgate.gateway.http.ResponseRecorder;
import io.idemgate.gateway.idempotency.StoredResponse;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The response tee: head plus a body arriving in 8 KiB pieces (what HttpObjectDecoder hands over), then the
 * stored form. The pieces are pooled direct buffers, as on the event loop, allocated once per trial and
 * released in {@link #tearDown}; the recorder only reads them.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@Fork(jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"}) // see Bodies
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ResponseRecorderBenchmark {

    private static final int PIECE = 8 * 1024;

    @Param({"256", "65536"})
    public int bodyBytes;

    private ByteBuf[] pieces;
    private final HttpHeaders headers = new DefaultHttpHeaders()
            .add("Content-Type", "application/json")
            .add("Content-Length", "0")
            .add("Date", "Fri, 27 Nov 2026 08:00:00 GMT")
            .add("X-Request-Id", "req_6f1d2c0e9b")
            .add("Cache-Control", "no-store");

    @Setup(Level.Trial)
    public void setUp() {
        int n = (bodyBytes + PIECE - 1) / PIECE;
        pieces = new ByteBuf[n];
        for (int i = 0; i < n; i++) {
            int len = Math.min(PIECE, bodyBytes - i * PIECE);
            byte[] data = new byte[len];
            ThreadLocalRandom.current().nextBytes(data);
            pieces[i] = PooledByteBufAllocator.DEFAULT.directBuffer(len).writeBytes(data);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        for (ByteBuf piece : pieces) {
            if (piece != null) {
                piece.release();
            }
        }
        pieces = null;
    }

    @Benchmark
    public StoredResponse record() {
        ResponseRecorder recorder = new ResponseRecorder(1 << 20);
        recorder.head(200, headers);
        for (ByteBuf piece : pieces) {
            recorder.content(piece);
        }
        return recorder.toStoredResponse();
    }
}
