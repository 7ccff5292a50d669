package io.idemgate.loadtest.load;

import io.idemgate.loadtest.upstream.Latency;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code load} subcommand's knobs, immutable and checked. {@link #parse} reads flags;
 * {@link #of} is the shorthand tests use.
 */
public record LoadOptions(
        URI target,
        double rate,
        Duration duration,
        int connections,
        boolean closedLoop,
        double duplicateRatio,
        int burst,
        Duration burstEvery,
        int keySpace,
        int bodyBytes,
        String keyHeader,
        URI ledger,
        String results,
        Duration timeout,
        int maxBacklog,
        String onStartCmd,
        List<TimedCommand> midRunCmds,
        boolean allowReexecution,
        Duration warmup,
        boolean failIfBehind,
        String history,
        List<URI> alsoTargets,
        String timeline) {

    /** A shell command run {@code at} this offset from the start of the run. */
    public record TimedCommand(Duration at, String command) {

        static TimedCommand parse(String text) {
            int colon = text.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("--mid-run-cmd: expected OFFSET:COMMAND (e.g. 5s:redis-cli shutdown), got " + text);
            }
            return new TimedCommand(Latency.parseDuration(text.substring(0, colon).trim()), text.substring(colon + 1).trim());
        }
    }

    public static final String USAGE = """
            usage: idemgate-loadtest load --target URL [flags]

            Sends POSTs carrying idempotency keys at a constant arrival rate (open loop, latency measured
            from the intended send time, so coordinated omission is corrected) or back to back on each
            connection (--closed-loop); reports latency per outcome and verifies exactly-once.

              --target URL            where to POST, e.g. http://127.0.0.1:8080/v1/orders (required)
              --rate N                requests per second, open loop (default 1000)
              --duration D            how long to send (e.g. 10s, 2m; default 10s)
              --warmup D              send at the same rate for D first, not measured (the JITs of the
                                      generator and the target warm up; default 0)
              --connections N         keep-alive connections, one request in flight each (default 64)
              --closed-loop           send back to back on every connection instead of at --rate
              --duplicate-ratio F     fraction of requests reusing an earlier key with the same body (default 0)
              --burst N               every --burst-every, N requests with one fresh key at once (default 0: off)
              --burst-every D         interval between bursts (default 1s)
              --key-space N           duplicates draw from the N most recent keys (default 10000)
              --body-bytes N          request body size (default 128)
              --key-header NAME       idempotency key header (default Idempotency-Key)
              --ledger URL            the demo upstream's base URL; verifies each key executed exactly once
              --results FILE          write the results as JSON
              --timeout D             per-request timeout; the connection is closed and reopened (default 10s)
              --max-backlog N         requests waiting for a free connection before new ones are dropped (default 100000)
              --on-start-cmd CMD      shell command run when sending starts
              --mid-run-cmd OFF:CMD   shell command run OFF into the run (e.g. '5s:redis-cli shutdown'); repeatable
              --allow-reexecution     keys executed more than once (and their differing answers) are counted and
                                      reported, not violations: the check of a fail-open run during a store outage
              --also-target URL       another gateway in front of the same upstream: connections are spread over
                                      --target and these, so a key's duplicates reach several gateways; repeatable
              --history FILE          record every operation (key, send and answer times, status, replayed,
                                      body hash) for the history checker (the check command)
              --timeline FILE         write the run second by second as CSV: per second of intended send time
                                      the requests planned and their p50/p99/max latency, per second of the
                                      clock those sent and answered, the backlog, and this generator's own loop
                                      lag; each second with its wall-clock start (epoch ms) to match GC logs
              --fail-if-behind        exit 3 when the open loop achieved less than 90 % of the asked rate
              --help                  this text

            Exit code: 0 when exactly-once holds, 1 on a violation or when nothing was measured (no request
            answered), 2 on bad flags, 3 with --fail-if-behind when sending fell behind the rate.
            """;

    public LoadOptions {
        if (target == null || !"http".equals(target.getScheme()) || target.getHost() == null) {
            throw new IllegalArgumentException("--target must be an http:// URL such as http://127.0.0.1:8080/v1/orders, got "
                    + target);
        }
        if (!(rate > 0)) {
            throw new IllegalArgumentException("--rate must be > 0, got " + rate);
        }
        if (warmup == null || warmup.isNegative()) {
            throw new IllegalArgumentException("--warmup must be >= 0");
        }
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("--duration must be > 0");
        }
        if (!(duplicateRatio >= 0 && duplicateRatio <= 1)) {
            throw new IllegalArgumentException("--duplicate-ratio must be a fraction 0..1, got " + duplicateRatio);
        }
        checkAtLeast("--connections", connections, 1);
        checkAtLeast("--burst", burst, 0);
        checkAtLeast("--key-space", keySpace, 1);
        checkAtLeast("--body-bytes", bodyBytes, 0);
        checkAtLeast("--max-backlog", maxBacklog, 1);
        if (burst > 0 && (burstEvery.isNegative() || burstEvery.isZero())) {
            throw new IllegalArgumentException("--burst-every must be > 0");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("--timeout must be > 0");
        }
        if (keyHeader == null || keyHeader.isBlank()) {
            throw new IllegalArgumentException("--key-header must not be empty");
        }
        midRunCmds = List.copyOf(midRunCmds);
        alsoTargets = List.copyOf(alsoTargets);
        for (URI t : alsoTargets) {
            if (!"http".equals(t.getScheme()) || t.getHost() == null) {
                throw new IllegalArgumentException("--also-target must be an http:// URL, got " + t);
            }
        }
    }

    /** {@code --target}, then every {@code --also-target}. */
    public List<URI> targets() {
        List<URI> all = new ArrayList<>();
        all.add(target);
        all.addAll(alsoTargets);
        return all;
    }

    static int port(URI u) {
        return u.getPort() > 0 ? u.getPort() : 80;
    }

    static String requestUri(URI u) {
        String path = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
        return u.getRawQuery() == null ? path : path + "?" + u.getRawQuery();
    }

    public String host() {
        return target.getHost();
    }

    public int port() {
        return target.getPort() > 0 ? target.getPort() : 80;
    }

    /** The request target: path and query of {@code --target}. */
    public String requestUri() {
        String path = target.getRawPath() == null || target.getRawPath().isEmpty() ? "/" : target.getRawPath();
        return target.getRawQuery() == null ? path : path + "?" + target.getRawQuery();
    }

    private static final Set<String> FLAGS = Set.of("--target", "--rate", "--duration", "--connections",
            "--duplicate-ratio", "--burst", "--burst-every", "--key-space", "--body-bytes", "--key-header", "--ledger",
            "--results", "--timeout", "--max-backlog", "--on-start-cmd", "--mid-run-cmd", "--warmup", "--history", "--also-target",
            "--timeline");

    /**
     * Reads {@code --flag value} pairs and the bare {@code --closed-loop} and {@code --allow-reexecution}.
     *
     * @throws IllegalArgumentException naming the bad flag
     */
    public static LoadOptions parse(List<String> args) {
        Map<String, String> v = new HashMap<>();
        List<TimedCommand> midRun = new ArrayList<>();
        List<URI> also = new ArrayList<>();
        boolean closedLoop = false;
        boolean allowReexecution = false;
        boolean failIfBehind = false;
        for (int i = 0; i < args.size(); i++) {
            String flag = args.get(i);
            if (flag.equals("--closed-loop")) {
                closedLoop = true;
                continue;
            }
            if (flag.equals("--allow-reexecution")) {
                allowReexecution = true;
                continue;
            }
            if (flag.equals("--fail-if-behind")) {
                failIfBehind = true;
                continue;
            }
            if (!FLAGS.contains(flag)) {
                throw new IllegalArgumentException(flag.startsWith("--") ? "unknown flag: " + flag : "unexpected argument: " + flag);
            }
            if (i + 1 >= args.size()) {
                throw new IllegalArgumentException(flag + " needs a value");
            }
            String value = args.get(++i);
            if (flag.equals("--mid-run-cmd")) {
                midRun.add(TimedCommand.parse(value));
            } else if (flag.equals("--also-target")) {
                also.add(url("--also-target", value));
            } else {
                v.put(flag, value);
            }
        }
        if (!v.containsKey("--target")) {
            throw new IllegalArgumentException("--target is required");
        }
        return new LoadOptions(
                url("--target", v.get("--target")),
                number(v, "--rate", 1000),
                duration(v, "--duration", "10s"),
                (int) number(v, "--connections", 64),
                closedLoop,
                number(v, "--duplicate-ratio", 0),
                (int) number(v, "--burst", 0),
                duration(v, "--burst-every", "1s"),
                (int) number(v, "--key-space", 10_000),
                (int) number(v, "--body-bytes", 128),
                v.getOrDefault("--key-header", "Idempotency-Key"),
                v.containsKey("--ledger") ? url("--ledger", v.get("--ledger")) : null,
                v.get("--results"),
                duration(v, "--timeout", "10s"),
                (int) number(v, "--max-backlog", 100_000),
                v.get("--on-start-cmd"),
                midRun,
                allowReexecution,
                v.containsKey("--warmup") ? duration(v, "--warmup", "0s") : Duration.ZERO,
                failIfBehind,
                v.get("--history"),
                also,
                v.get("--timeline"));
    }

    /** Shorthand for tests: {@code parse} over whitespace-separated flags (no quoting). */
    public static LoadOptions of(String flags) {
        return parse(flags.isBlank() ? List.of() : List.of(flags.trim().split("\\s+")));
    }

    /** A URL flag; without a scheme it would parse as something else (or not at all), so say what is missing. */
    private static URI url(String flag, String text) {
        String t = text.trim();
        if (!t.contains("://")) {
            throw new IllegalArgumentException(flag + " needs a scheme: http://" + t + " (got " + t + ")");
        }
        try {
            return new URI(t);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(flag + ": not a URL: " + t + " (" + e.getReason() + ")");
        }
    }

    private static double number(Map<String, String> v, String flag, double dflt) {
        try {
            return v.containsKey(flag) ? Double.parseDouble(v.get(flag).trim()) : dflt;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + ": not a number: " + v.get(flag));
        }
    }

    private static Duration duration(Map<String, String> v, String flag, String dflt) {
        try {
            return Latency.parseDuration(v.getOrDefault(flag, dflt).trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(flag + ": " + e.getMessage());
        }
    }

    private static void checkAtLeast(String flag, long value, long min) {
        if (value < min) {
            throw new IllegalArgumentException(flag + " must be >= " + min + ", got " + value);
        }
    }
}
