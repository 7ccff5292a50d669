package io.idemgate.loadtest.upstream;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The demo upstream's knobs, immutable and checked. {@link #parse} reads the {@code upstream}
 * subcommand's flags; {@link #defaults()} is what tests start from.
 */
public record UpstreamOptions(
        String host,
        int port,
        Latency latency,
        double errorRate,
        double resetRate,
        Duration slowBodyDelay,
        int slowBodyChunk,
        int responseBytes,
        int threads,
        String keyHeader,
        int maxKeys,
        long maxRequestBytes,
        String fenceHeader,
        boolean rejectStaleFences,
        String history) {

    public static final String USAGE = """
            usage: idemgate-loadtest upstream [flags]

            A demo HTTP/1.1 API that behaves like a real non-idempotent service: every POST creates a
            resource with a fresh id and the upstream counts how often each Idempotency-Key executed.

              --host HOST             bind address (default 127.0.0.1)
              --port N                port, 0 for any free one (default 8081)
              --latency D | D1..D2    delay before answering, fixed or uniform random (e.g. 5ms, 1ms..20ms; default 0)
              --error-rate F          fraction of requests answered 503 without executing (default 0)
              --reset-rate F          fraction of requests executed, then the connection is reset, no response (default 0)
              --slow-body D           send the response body in small pieces, D apart (e.g. 10ms; default off)
              --slow-body-chunk N     piece size for --slow-body in bytes (default 64)
              --response-bytes N      pad response bodies to at least N bytes (default 0: no padding)
              --threads N             event-loop threads, 0 = one per CPU (default 0)
              --key-header NAME       idempotency key header (default Idempotency-Key)
              --max-keys N            keys remembered by the ledger, oldest forgotten first (default 1000000)
              --max-request-bytes N   larger request bodies get 413 (default 16777216)
              --fence-header NAME     header carrying the gateway's fencing number (default Idempotency-Fence)
              --stale-fences M        accept (default) or reject: answer 409 without executing a POST whose fence is
                                      not above every fence already seen for its key (an API that opts in to fences)
              --history FILE          record every POST with a key (key, fence, time, accepted or stale) for the
                                      history checker (the check command)
              --help                  this text

            Endpoints: POST /<any> creates (201); GET|PUT|PATCH|DELETE /<any> echo (200);
            GET /stats; GET /stats/keys?key=K; GET /stats/executions?key=K1&key=K2...; POST /stats/reset (never delayed or failed).
            """;

    public UpstreamOptions {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--port must be 0..65535, got " + port);
        }
        checkFraction("--error-rate", errorRate);
        checkFraction("--reset-rate", resetRate);
        if (slowBodyDelay.isNegative()) {
            throw new IllegalArgumentException("--slow-body must not be negative");
        }
        checkAtLeast("--slow-body-chunk", slowBodyChunk, 1);
        checkAtLeast("--response-bytes", responseBytes, 0);
        checkAtLeast("--threads", threads, 0);
        checkAtLeast("--max-keys", maxKeys, 1);
        checkAtLeast("--max-request-bytes", maxRequestBytes, 0);
        if (keyHeader == null || keyHeader.isBlank()) {
            throw new IllegalArgumentException("--key-header must not be empty");
        }
        if (fenceHeader == null || fenceHeader.isBlank()) {
            throw new IllegalArgumentException("--fence-header must not be empty");
        }
    }

    public static UpstreamOptions defaults() {
        return new UpstreamOptions("127.0.0.1", 8081, Latency.NONE, 0, 0, Duration.ZERO, 64, 0, 0,
                "Idempotency-Key", 1_000_000, 16L * 1024 * 1024, "Idempotency-Fence", false, null);
    }

    /**
     * Reads {@code --flag value} pairs; flags not given keep their defaults.
     *
     * @throws IllegalArgumentException naming the bad flag
     */
    public static UpstreamOptions parse(List<String> args) {
        Map<String, String> v = new HashMap<>();
        for (int i = 0; i < args.size(); i += 2) {
            String flag = args.get(i);
            if (!FLAGS.contains(flag)) {
                throw new IllegalArgumentException(flag.startsWith("--") ? "unknown flag: " + flag : "unexpected argument: " + flag);
            }
            if (i + 1 >= args.size()) {
                throw new IllegalArgumentException(flag + " needs a value");
            }
            v.put(flag, args.get(i + 1));
        }
        UpstreamOptions d = defaults();
        return new UpstreamOptions(
                v.getOrDefault("--host", d.host),
                intFlag(v, "--port", d.port),
                v.containsKey("--latency") ? Latency.parse(v.get("--latency")) : d.latency,
                doubleFlag(v, "--error-rate", d.errorRate),
                doubleFlag(v, "--reset-rate", d.resetRate),
                v.containsKey("--slow-body") ? Latency.parseDuration(v.get("--slow-body")) : d.slowBodyDelay,
                intFlag(v, "--slow-body-chunk", d.slowBodyChunk),
                intFlag(v, "--response-bytes", d.responseBytes),
                intFlag(v, "--threads", d.threads),
                v.getOrDefault("--key-header", d.keyHeader),
                intFlag(v, "--max-keys", d.maxKeys),
                v.containsKey("--max-request-bytes") ? longValue("--max-request-bytes", v.get("--max-request-bytes")) : d.maxRequestBytes,
                v.getOrDefault("--fence-header", d.fenceHeader),
                staleFences(v.getOrDefault("--stale-fences", "accept")),
                v.get("--history"));
    }

    /** Shorthand for tests and embedders: {@code parse} over whitespace-separated flags. */
    public static UpstreamOptions of(String flags) {
        return parse(flags.isBlank() ? List.of() : List.of(flags.trim().split("\\s+")));
    }

    private static final Set<String> FLAGS = Set.of("--host", "--port", "--latency", "--error-rate", "--reset-rate",
            "--slow-body", "--slow-body-chunk", "--response-bytes", "--threads", "--key-header", "--max-keys",
            "--max-request-bytes", "--fence-header", "--stale-fences", "--history");

    private static boolean staleFences(String mode) {
        return switch (mode.trim()) {
            case "accept" -> false;
            case "reject" -> true;
            default -> throw new IllegalArgumentException("--stale-fences is accept or reject, got " + mode);
        };
    }

    private static int intFlag(Map<String, String> v, String flag, int dflt) {
        return v.containsKey(flag) ? Math.toIntExact(longValue(flag, v.get(flag))) : dflt;
    }

    private static long longValue(String flag, String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + ": not an integer: " + value);
        }
    }

    private static double doubleFlag(Map<String, String> v, String flag, double dflt) {
        try {
            return v.containsKey(flag) ? Double.parseDouble(v.get(flag).trim()) : dflt;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + ": not a number: " + v.get(flag));
        }
    }

    public boolean slowBody() {
        return !slowBodyDelay.isZero();
    }

    private static void checkFraction(String flag, double f) {
        if (!(f >= 0 && f <= 1)) {
            throw new IllegalArgumentException(flag + " must be a fraction 0..1, got " + f);
        }
    }

    private static void checkAtLeast(String flag, long v, long min) {
        if (v < min) {
            throw new IllegalArgumentException(flag + " must be >= " + min + ", got " + v);
        }
    }
}
