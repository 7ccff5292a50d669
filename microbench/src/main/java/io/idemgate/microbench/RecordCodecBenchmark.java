package io.idemgate.microbench;

import io.idemgate.gateway.idempotency.BodyChunks;
import io.idemgate.gateway.idempotency.IdempotencyRecord;
import io.idemgate.gateway.store.redis.PackedRecord;
import io.idemgate.gateway.store.redis.RecordCodec;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * The Redis record codec around a completed record. {@code encode}: what a complete computes before it
 * sends anything (the headers' JSON, the body's chunk field names; the chunks themselves are sent as the
 * recorder made them, not copied). {@code decode}: a completed record's hash as the claim returns it:
 * with its body inline (1 KiB) or pointing at its body key (256 KiB, chunks not read here: a replay
 * fetches them one by one). {@code decodeLegacyInline}: a v1 record of an earlier release with the body
 * inline whatever its size, split into chunks as it is read. {@code decodePacked}: the same completed record
 * in format 3, one string as a replay's GET returns it (docs/store-format.md); {@code decode} is the same
 * record as a format-2 hash, for comparison.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@Fork(jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"}) // see Bodies
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RecordCodecBenchmark {

    private static final RecordCodec.BodySource NOT_READ = (key, chunks, length) -> BodyChunks.EMPTY;

    @Param({"1024", "262144"})
    public int bodyBytes;

    private final List<Map.Entry<String, String>> headers = List.of(
            Map.entry("Content-Type", "application/json"),
            Map.entry("Date", "Fri, 27 Nov 2026 08:00:00 GMT"),
            Map.entry("Location", "/v1/payments/pay_6f1d2c0e9b"),
            Map.entry("X-Request-Id", "req_6f1d2c0e9b"),
            Map.entry("Cache-Control", "no-store"));
    private BodyChunks body;
    private Map<String, byte[]> hash;
    private Map<String, byte[]> legacyHash;
    private byte[] packed;

    @Setup(Level.Trial)
    public void setUp() {
        byte[] bytes = new byte[bodyBytes];
        ThreadLocalRandom.current().nextBytes(bytes);
        body = BodyChunks.copyOf(bytes);
        hash = completed("1");
        hash.put("headers", RecordCodec.encodeHeaders(headers));
        if (body.chunkCount() <= 1) {
            hash.put("body", bytes);
        } else {
            hash.put("v", text("2"));
            hash.put("body_key", text("idemgate:{3f5a}:body:1:gw-a1b2/17"));
            hash.put("chunks", text(Integer.toString(body.chunkCount())));
            hash.put("length", text(Integer.toString(bodyBytes)));
        }
        packed = packed(bytes);
        legacyHash = completed("1");
        legacyHash.put("headers", RecordCodec.encodeHeaders(headers));
        legacyHash.put("body", bytes);
    }

    @Benchmark
    public void encode(Blackhole bh) {
        bh.consume(RecordCodec.encodeHeaders(headers));
        if (body.chunkCount() > 1) {
            for (int i = 0; i < body.chunkCount(); i++) {
                bh.consume(text(Integer.toString(i)));
                bh.consume(body.chunkNow(i));
            }
        }
    }

    @Benchmark
    public IdempotencyRecord decode() {
        return RecordCodec.decode(hash, NOT_READ);
    }

    @Benchmark
    public IdempotencyRecord decodePacked() {
        return PackedRecord.decode(packed, NOT_READ);
    }

    @Benchmark
    public IdempotencyRecord decodeLegacyInline() {
        return RecordCodec.decode(legacyHash, NOT_READ);
    }

    private static Map<String, byte[]> completed(String version) {
        Map<String, byte[]> fields = new HashMap<>();
        fields.put("v", text(version));
        fields.put("state", text("completed"));
        fields.put("fp", text("9c1e0b4f7a6d2e58c3b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9"));
        fields.put("fence", text("1"));
        fields.put("created", text("1764230400000"));
        fields.put("status", text("201"));
        fields.put("omitted", text("0"));
        fields.put("completed", text("1764230400187"));
        fields.put("expires", text("1764316800187"));
        return fields;
    }

    /** As complete.lua writes it: the header line, the headers' JSON, the body if it is one chunk. */
    private byte[] packed(byte[] bytes) {
        byte[] json = RecordCodec.encodeHeaders(headers);
        boolean inline = body.chunkCount() <= 1;
        byte[] line = text("3 C 1764230400000001 1764230400000 1764230400187 1764316800187 "
                + "9c1e0b4f7a6d2e58c3b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9 201 0 " + json.length + " "
                + body.chunkCount() + " " + bytes.length + " " + (inline ? "-" : "idemgate:{3f5a}:body:1:gw-a1b2/17")
                + "\n");
        byte[] value = new byte[line.length + json.length + (inline ? bytes.length : 0)];
        System.arraycopy(line, 0, value, 0, line.length);
        System.arraycopy(json, 0, value, line.length, json.length);
        if (inline) {
            System.arraycopy(bytes, 0, value, line.length + json.length, bytes.length);
        }
        return value;
    }

    private static byte[] text(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }
}
