package io.idemgate.loadtest;

import io.idemgate.loadtest.fault.ProxyCommand;
import io.idemgate.loadtest.history.CheckCommand;
import io.idemgate.loadtest.load.LoadCommand;
import io.idemgate.loadtest.upstream.UpstreamCommand;
import io.idemgate.loadtest.wakeup.WakeupCommand;
import io.idemgate.loadtest.waiters.WaitersCommand;
import java.util.Arrays;
import java.util.List;

/** {@code java -jar idemgate-loadtest.jar <subcommand> [flags]}: dispatches to the subcommands. */
public final class LoadtestMain {

    static final String USAGE = """
            usage: java -jar idemgate-loadtest.jar <command> [flags]

            commands:
              upstream   run the demo / ledger upstream (a non-idempotent HTTP API that counts executions per key)
              load       load generator: open or closed loop, latency per outcome, exactly-once verified against the ledger
              wakeup     cross-instance wake-up delay: same key to two gateways on one Redis
              waiters    one keyed request, then N duplicates of it on N connections at once (parked-waiter probe)
              proxy      fault-injecting TCP proxy (latency, bandwidth, blackhole, reset) switched at runtime over HTTP
              check      history checker: client and ledger histories against the idempotency contract

            Run 'java -jar idemgate-loadtest.jar <command> --help' for a command's flags.
            """;

    private LoadtestMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        int code = run(args);
        if (code != 0) {
            System.exit(code);
        }
    }

    static int run(String[] args) throws InterruptedException {
        List<String> rest = Arrays.asList(args).subList(Math.min(1, args.length), args.length);
        String command = args.length == 0 ? "" : args[0];
        switch (command) {
            case "upstream":
                return UpstreamCommand.run(rest, System.out, System.err);
            case "--help", "-h", "help":
                System.out.print(USAGE);
                return 0;
            case "load":
                return LoadCommand.run(rest, System.out, System.err);
            case "wakeup":
                return WakeupCommand.run(rest, System.out, System.err);
            case "waiters":
                return WaitersCommand.run(rest, System.out, System.err);
            case "proxy":
                return ProxyCommand.run(rest, System.out, System.err);
            case "check":
                return CheckCommand.run(rest, System.out, System.err);
            default:
                if (!command.isEmpty()) {
                    System.err.println("unknown command: " + command);
                }
                System.err.print(USAGE);
                return 2;
        }
    }
}
