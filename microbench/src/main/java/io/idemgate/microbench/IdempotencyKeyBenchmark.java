package io.idemgate.microbench;

import io.idemgate.gateway.idempotency.IdempotencyKeys;
import io.idemgate.gateway.idempotency.KeyPolicy;
import io.idemgate.gateway.idempotency.KeyResult;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/** Reading the Idempotency-Key header, as an RFC 8941 sf-string and as a bare token (a UUID, the usual key). */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@Fork(jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"}) // see Bodies
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class IdempotencyKeyBenchmark {

    private final KeyPolicy policy = new KeyPolicy("Idempotency-Key", "", true, 255, false);
    private final List<String> sfString = List.of("\"8e03978e-40d5-43e8-bc93-6894a57f9324\"");
    private final List<String> token = List.of("8e03978e-40d5-43e8-bc93-6894a57f9324");

    @Benchmark
    public KeyResult sfString() {
        return IdempotencyKeys.fromHeaderValues(sfString, policy);
    }

    @Benchmark
    public KeyResult token() {
        return IdempotencyKeys.fromHeaderValues(token, policy);
    }
}
