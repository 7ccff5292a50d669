package io.idemgate.loadtest.waiters;

import io.idemgate.loadtest.upstream.Latency;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code waiters} subcommand: one first request with a key, then N duplicates of it, each on a
 * connection of its own, all parked at the gateway while the first is in flight. Exit 0 when all
 * N + 1 got the same 2xx body.
 */
public final class WaitersCommand {

    static final String USAGE = """
            usage: idemgate-loadtest waiters --target URL [flags]

            Sends one POST with a fresh idempotency key, then after --lead the same request (same key, same
            body) on N more connections at once, and waits for all N + 1 answers. Against a slow upstream the
            N duplicates park at the gateway: a probe of what parked waiters cost.

              --target URL        where to POST (required)
              --waiters N         duplicates, one connection each (default 10000; mind ulimit -n)
              --lead D            delay between the first request and the duplicates (default 1s)
              --connect-batch N   connections being opened at once (default 256; the accept backlog is finite)
              --timeout D         give up on answers after this long from the first request (default 120s)
              --ready-file FILE   touched when every duplicate has been sent (for a script to sample while they wait)
              --key K             the key (default: a fresh one)

            Exit code: 0 when all N + 1 answered 2xx with one and the same body, 1 otherwise, 2 on bad flags.
            """;

    record Options(URI target, int waiters, Duration lead, int connectBatch, Duration timeout, String readyFile, String key) {

        Options {
            if (target == null || !"http".equals(target.getScheme()) || target.getHost() == null) {
                throw new IllegalArgumentException("--target must be an http:// URL, got " + target);
            }
            if (waiters < 1 || connectBatch < 1) {
                throw new IllegalArgumentException("--waiters and --connect-batch must be >= 1");
            }
            if (timeout.isZero() || timeout.isNegative() || lead.isNegative()) {
                throw new IllegalArgumentException("--timeout must be > 0 and --lead >= 0");
            }
        }

        private static final Set<String> FLAGS = Set.of("--target", "--waiters", "--lead", "--connect-batch", "--timeout",
                "--ready-file", "--key");

        static Options parse(List<String> args) {
            Map<String, String> v = new HashMap<>();
            for (int i = 0; i < args.size(); i += 2) {
                if (!FLAGS.contains(args.get(i))) {
                    throw new IllegalArgumentException("unknown flag: " + args.get(i));
                }
                if (i + 1 >= args.size()) {
                    throw new IllegalArgumentException(args.get(i) + " needs a value");
                }
                v.put(args.get(i), args.get(i + 1));
            }
            if (!v.containsKey("--target")) {
                throw new IllegalArgumentException("--target is required");
            }
            return new Options(URI.create(v.get("--target")), Integer.parseInt(v.getOrDefault("--waiters", "10000")),
                    Latency.parseDuration(v.getOrDefault("--lead", "1s")),
                    Integer.parseInt(v.getOrDefault("--connect-batch", "256")),
                    Latency.parseDuration(v.getOrDefault("--timeout", "120s")), v.get("--ready-file"),
                    v.getOrDefault("--key", "wt-" + Long.toString(System.nanoTime(), 36)));
        }

        int port() {
            return target.getPort() > 0 ? target.getPort() : 80;
        }

        String requestUri() {
            return target.getRawPath() == null || target.getRawPath().isEmpty() ? "/" : target.getRawPath();
        }
    }

    private WaitersCommand() {
    }

    /** @return the process exit code */
    public static int run(List<String> args, PrintStream out, PrintStream err) throws InterruptedException {
        if (args.contains("--help") || args.contains("-h")) {
            out.print(USAGE);
            return 0;
        }
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("waiters: " + e.getMessage());
            err.println("run 'java -jar idemgate-loadtest.jar waiters --help' for the flags");
            return 2;
        }
        FloodTally tally = new SameKeyFlood(options, out).run();
        out.println(tally.summary(options.waiters() + 1L));
        return tally.allIdentical(options.waiters() + 1L) ? 0 : 1;
    }
}
