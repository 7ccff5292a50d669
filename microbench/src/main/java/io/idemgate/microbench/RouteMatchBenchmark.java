package io.idemgate.microbench;

import io.idemgate.gateway.config.IdempotencyConfig;
import io.idemgate.gateway.config.MatchConfig;
import io.idemgate.gateway.config.RouteConfig;
import io.idemgate.gateway.config.StatusSet;
import io.idemgate.gateway.config.UpstreamConfig;
import io.idemgate.gateway.idempotency.FingerprintPolicy;
import io.idemgate.gateway.idempotency.KeyPolicy;
import io.idemgate.gateway.route.Route;
import io.idemgate.gateway.route.RouteTable;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Route lookup, done for every request, over 20 rules (hosts, globs with {@code *} and {@code **}, method
 * sets): a request that fits the first rule, one that fits only the last, and one that fits none.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@Fork(jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"}) // see Bodies
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RouteMatchBenchmark {

    private RouteTable table;

    @Setup
    public void setUp() {
        List<RouteConfig> routes = new ArrayList<>();
        routes.add(route("payments", "api.example.com", "/v1/payments/**", Set.of("POST")));
        for (int i = 1; i <= 18; i++) {
            String host = i % 3 == 0 ? "svc" + i + ".example.com" : null;
            String path = i % 2 == 0 ? "/v" + i + "/orders/*/items" : "/v" + i + "/resources/**";
            routes.add(route("route-" + i, host, path, i % 4 == 0 ? Set.of() : Set.of("POST", "PUT", "PATCH")));
        }
        routes.add(route("webhooks", "hooks.example.com", "/webhooks/*/events/**", Set.of("POST")));
        table = new RouteTable(routes);
        if (first() == null || last() == null || none() != null) {
            throw new IllegalStateException("benchmark routes do not match as intended");
        }
    }

    @Benchmark
    public Route first() {
        return table.match("api.example.com", "/v1/payments/pay_123/capture", "POST");
    }

    @Benchmark
    public Route last() {
        return table.match("hooks.example.com:443", "/webhooks/stripe/events/evt_1/retry", "POST");
    }

    @Benchmark
    public Route none() {
        return table.match("other.example.com", "/v99/unknown/path/segments", "DELETE");
    }

    private static RouteConfig route(String name, String host, String path, Set<String> methods) {
        UpstreamConfig upstream = new UpstreamConfig(List.of(URI.create("http://127.0.0.1:8081")),
                Duration.ofSeconds(1), Duration.ofSeconds(30), 64, 64, Duration.ofSeconds(60));
        IdempotencyConfig idem = new IdempotencyConfig(IdempotencyConfig.Mode.KEY, Set.of("POST"),
                new KeyPolicy("Idempotency-Key", "", true, 255, false), new IdempotencyConfig.Scope(List.of("Authorization"), IdempotencyConfig.WhenMissing.REJECT),
                new FingerprintPolicy(List.of(), true, List.of()), Duration.ofHours(24),
                Duration.ofSeconds(30), IdempotencyConfig.Concurrent.WAIT, Duration.ofSeconds(10),
                StatusSet.parse(List.of("2xx", "4xx")), StatusSet.parse(List.of("408", "409", "425", "429")),
                1 << 20, 1 << 20, IdempotencyConfig.OutcomeUnknown.REEXECUTE, "",
                IdempotencyConfig.OnStoreFailure.FAIL_CLOSED, new IdempotencyConfig.Replay(List.of()));
        return new RouteConfig(name, new MatchConfig(Optional.ofNullable(host), path, methods), upstream, idem);
    }
}
