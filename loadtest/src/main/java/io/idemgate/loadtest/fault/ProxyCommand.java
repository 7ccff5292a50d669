package io.idemgate.loadtest.fault;

import io.idemgate.loadtest.upstream.Latency;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The {@code proxy} subcommand: a fault-injecting TCP proxy with a loopback HTTP control, until SIGTERM. */
public final class ProxyCommand {

    public static final String USAGE = """
            usage: idemgate-loadtest proxy --target HOST:PORT --listen PORT --control PORT [flags]

            A TCP proxy that injects faults switched at runtime over a loopback HTTP control (curl):
              GET  /status                      current faults and connection counts (JSON)
              POST /latency?value=200ms         added delay, each direction
              POST /bandwidth?value=N           bytes per second, each direction of each connection (0 = unlimited)
              POST /blackhole                   accept, forward nothing either way, hold it all (a partition)
              POST /heal                        lift the blackhole: held data and connects go through
              POST /reset                       reset (RST) every open connection, both ends
              POST /clear                       every fault off (the scope stays)
              POST /scope?value=IP              faults apply only to clients connecting from IP (all = every client)

              --target HOST:PORT      where to forward (required)
              --listen PORT           proxy port on --host, 0 for any free one (required)
              --control PORT          control port on 127.0.0.1, 0 for any free one (required)
              --host HOST             listen address (default 127.0.0.1)
              --name NAME             name in the log lines (default: the target)
              --latency D             initial added latency (default 0)
              --bandwidth N           initial bandwidth in bytes/s (default 0: unlimited)
              --help                  this text
            """;

    private static final Set<String> FLAGS = Set.of("--target", "--listen", "--control", "--host", "--name", "--latency",
            "--bandwidth");

    private ProxyCommand() {
    }

    /** @return the process exit code */
    public static int run(List<String> args, PrintStream out, PrintStream err) throws InterruptedException {
        if (args.contains("--help") || args.contains("-h")) {
            out.print(USAGE);
            return 0;
        }
        Map<String, String> v = new HashMap<>();
        String targetHost;
        int targetPort;
        int listen;
        int control;
        Faults initial;
        try {
            for (int i = 0; i < args.size(); i += 2) {
                if (!FLAGS.contains(args.get(i))) {
                    throw new IllegalArgumentException("unknown flag: " + args.get(i));
                }
                if (i + 1 >= args.size()) {
                    throw new IllegalArgumentException(args.get(i) + " needs a value");
                }
                v.put(args.get(i), args.get(i + 1));
            }
            for (String required : List.of("--target", "--listen", "--control")) {
                if (!v.containsKey(required)) {
                    throw new IllegalArgumentException(required + " is required");
                }
            }
            String target = v.get("--target");
            int colon = target.lastIndexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("--target must be HOST:PORT, got " + target);
            }
            targetHost = target.substring(0, colon);
            targetPort = port("--target", target.substring(colon + 1));
            listen = port("--listen", v.get("--listen"));
            control = port("--control", v.get("--control"));
            initial = new Faults(Latency.parseDuration(v.getOrDefault("--latency", "0")).toNanos(),
                    Long.parseLong(v.getOrDefault("--bandwidth", "0")), false, null);
        } catch (IllegalArgumentException e) {
            err.println("proxy: " + e.getMessage());
            err.println("run 'java -jar idemgate-loadtest.jar proxy --help' for the flags");
            return 2;
        }
        String name = v.getOrDefault("--name", targetHost + ":" + targetPort);
        FaultProxy proxy;
        ProxyControl ctl;
        try {
            proxy = FaultProxy.start(v.getOrDefault("--host", "127.0.0.1"), listen, targetHost, targetPort);
        } catch (Exception e) {
            err.println("proxy: cannot listen on port " + listen + ": " + e.getMessage());
            return 1;
        }
        try {
            ctl = ProxyControl.start(proxy, name, "127.0.0.1", control, out);
        } catch (Exception e) {
            proxy.close();
            err.println("proxy: cannot listen on control port " + control + ": " + e.getMessage());
            return 1;
        }
        proxy.set(initial);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            ctl.close();
            proxy.close();
        }, "fault-proxy-shutdown"));
        out.printf("fault proxy %s: 127.0.0.1:%d -> %s:%d, control http://127.0.0.1:%d/status%n", name, proxy.port(),
                targetHost, targetPort, ctl.port());
        out.flush();
        Thread.currentThread().join(); // until SIGTERM runs the hook
        return 0;
    }

    private static int port(String flag, String text) {
        try {
            int p = Integer.parseInt(text.trim());
            if (p < 0 || p > 65535) {
                throw new NumberFormatException();
            }
            return p;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + ": not a port: " + text);
        }
    }
}
