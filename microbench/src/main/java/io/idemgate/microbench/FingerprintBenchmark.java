package io.idemgate.microbench;

import io.idemgate.gateway.idempotency.CanonicalJson;
import io.idemgate.gateway.idempotency.FingerprintPolicy;
import io.idemgate.gateway.idempotency.Fingerprinter;
import io.idemgate.gateway.idempotency.InvalidJsonException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The request fingerprint, computed for every keyed request: SHA-256 over method, target, one header and
 * the body, raw or canonical JSON; and canonical JSON alone. One state per thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@Fork(jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"}) // see Bodies
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class FingerprintBenchmark {

    @Param({"200B", "4KiB", "64KiB", "1MiB-1000-digit-numbers"})
    public String body;

    private byte[] bytes;
    private Fingerprinter raw;
    private Fingerprinter canonical;
    private final Map<String, List<String>> headers = Map.of("authorization", List.of("Bearer sk_test_4eC39HqLyjWDarjtT1zdp7dc"));
    private final Function<String, List<String>> headerValues = name -> headers.getOrDefault(name, List.of());

    @Setup
    public void setUp() {
        bytes = switch (body) {
            case "200B" -> Bodies.small();
            case "4KiB" -> Bodies.large();
            case "1MiB-1000-digit-numbers" -> Bodies.longNumbers();
            default -> Bodies.huge();
        };
        raw = new Fingerprinter(new FingerprintPolicy(List.of("Authorization"), false, List.of()));
        canonical = new Fingerprinter(new FingerprintPolicy(List.of("Authorization"), true, List.of()));
    }

    @Benchmark
    public String fingerprintRaw() {
        return raw.fingerprint("POST", "/v1/payments?expand=fees", headerValues, bytes, "application/json");
    }

    @Benchmark
    public String fingerprintCanonicalJson() {
        return canonical.fingerprint("POST", "/v1/payments?expand=fees", headerValues, bytes, "application/json");
    }

    @Benchmark
    public byte[] canonicalize() throws InvalidJsonException {
        return CanonicalJson.canonicalize(bytes, List.of());
    }
}
