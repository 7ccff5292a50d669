package io.idemgate.loadtest.upstream;

import java.io.PrintStream;
import java.util.List;

/** The {@code upstream} subcommand: parse flags, start the ledger upstream, serve until SIGTERM/Ctrl-C. */
public final class UpstreamCommand {

    private UpstreamCommand() {
    }

    /** @return the process exit code */
    public static int run(List<String> args, PrintStream out, PrintStream err) throws InterruptedException {
        if (args.contains("--help") || args.contains("-h")) {
            out.print(UpstreamOptions.USAGE);
            return 0;
        }
        UpstreamOptions options;
        try {
            options = UpstreamOptions.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("upstream: " + e.getMessage());
            err.println("run 'java -jar idemgate-loadtest.jar upstream --help' for the flags");
            return 2;
        }
        LedgerUpstream upstream;
        try {
            upstream = LedgerUpstream.start(options);
        } catch (Exception e) { // bind failures: the port is taken, or the host is not an address of this machine
            err.println("upstream: cannot listen on " + options.host() + ":" + options.port() + ": " + e.getMessage()
                    + " (choose another with --port / --host)");
            return 1;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(upstream::close, "ledger-upstream-shutdown"));
        out.printf("idemgate demo upstream listening on %s (transport %s, latency %s, error-rate %s, reset-rate %s)%n",
                upstream.url(), upstream.transportName(), options.latency(), options.errorRate(), options.resetRate());
        out.printf("  try: curl -i -X POST -H 'Idempotency-Key: k1' %s/v1/orders ; curl %s/stats%n", upstream.url(), upstream.url());
        upstream.awaitClose();
        return 0;
    }
}
