package io.idemgate.loadtest.history;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The {@code check} subcommand: reads client and ledger histories, prints the verdict and the violating keys. */
public final class CheckCommand {

    public static final String USAGE = """
            usage: idemgate-loadtest check --client FILE --ledger FILE [flags]

            Checks a run's history key by key: executions <= 1 unless an event in the history allows another,
            every 2xx answer equal to the key's first byte for byte, fences distinct, no stale fence executed.

              --client FILE           a load generator history (load --history); repeatable
              --ledger FILE           a ledger upstream history (upstream --history); repeatable
              --outcome-unknown M     the route's setting: reexecute (default; an operation with unknown outcome
                                      allows one more execution of its key) or reject (it does not)
              --allow REASON=N        N extra executions allowed over the whole run for REASON, counted by the
                                      gateway (e.g. fail-open=120 from idemgate_requests_total{outcome="fail_open"},
                                      unconfirmed-wait=3 from idemgate_store_unconfirmed_completions_total); repeatable
              --results FILE          write the verdict and counts as JSON
              --list N                violating keys printed (default 20)
              --help                  this text

            Exit code: 0 when the history is clean, 1 on a violation, 2 on bad flags or unreadable files.
            """;

    private CheckCommand() {
    }

    /** @return the process exit code */
    public static int run(List<String> args, PrintStream out, PrintStream err) {
        if (args.contains("--help") || args.contains("-h")) {
            out.print(USAGE);
            return 0;
        }
        List<Path> clients = new ArrayList<>();
        List<Path> ledgers = new ArrayList<>();
        Map<String, Long> allow = new LinkedHashMap<>();
        boolean reexecute = true;
        String results = null;
        int list = 20;
        List<ClientOp> ops = new ArrayList<>();
        List<Execution> executions = new ArrayList<>();
        try {
            for (int i = 0; i < args.size(); i += 2) {
                String flag = args.get(i);
                if (i + 1 >= args.size()) {
                    throw new IllegalArgumentException(flag + " needs a value");
                }
                String v = args.get(i + 1);
                switch (flag) {
                    case "--client" -> clients.add(Path.of(v));
                    case "--ledger" -> ledgers.add(Path.of(v));
                    case "--results" -> results = v;
                    case "--list" -> list = Integer.parseInt(v);
                    case "--outcome-unknown" -> {
                        if (!v.equals("reexecute") && !v.equals("reject")) {
                            throw new IllegalArgumentException("--outcome-unknown is reexecute or reject, got " + v);
                        }
                        reexecute = v.equals("reexecute");
                    }
                    case "--allow" -> {
                        int eq = v.indexOf('=');
                        if (eq <= 0) {
                            throw new IllegalArgumentException("--allow needs REASON=N, got " + v);
                        }
                        long n = Long.parseLong(v.substring(eq + 1).trim());
                        if (n < 0) {
                            throw new IllegalArgumentException("--allow " + v + ": N must be >= 0");
                        }
                        allow.merge(v.substring(0, eq).trim(), n, Long::sum);
                    }
                    default -> throw new IllegalArgumentException("unknown flag: " + flag);
                }
            }
            if (clients.isEmpty() || ledgers.isEmpty()) {
                throw new IllegalArgumentException("--client and --ledger are required");
            }
            for (Path p : clients) {
                ops.addAll(read(p, ClientOp::parse));
            }
            for (Path p : ledgers) {
                executions.addAll(read(p, Execution::parse));
            }
        } catch (IllegalArgumentException | IOException e) {
            err.println("check: " + e.getMessage());
            err.println("run 'java -jar idemgate-loadtest.jar check --help' for the flags");
            return 2;
        }
        HistoryChecker.Result r = new HistoryChecker(reexecute, allow).check(ops, executions);
        out.print(summary(r, reexecute, allow, list));
        if (results != null) {
            try {
                Files.writeString(Path.of(results), json(r), StandardCharsets.UTF_8);
            } catch (IOException e) {
                err.println("check: cannot write " + results + ": " + e);
                return 2;
            }
        }
        return r.ok() ? 0 : 1;
    }

    private static <T> List<T> read(Path p, Function<String, T> parse) throws IOException {
        try (var lines = Files.lines(p, StandardCharsets.UTF_8)) {
            return lines.filter(l -> !l.isBlank() && !l.startsWith("#")).map(parse).toList();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    static String summary(HistoryChecker.Result r, boolean reexecute, Map<String, Long> allow, int list) {
        StringBuilder b = new StringBuilder();
        b.append(String.format("history: %d keys, %d client operations, %d executions; outcome-unknown = %s; run allowances %s%n",
                r.keys(), r.operations(), r.executions(), reexecute ? "reexecute" : "reject", allow.isEmpty() ? "none" : allow));
        b.append(String.format("  keys re-executed within the contract: %s; stale fences refused by the ledger: %d%n",
                r.allowedByReason().isEmpty() ? "none" : r.allowedByReason(), r.staleRefused()));
        if (r.ok()) {
            b.append(String.format("verdict: OK (%d keys)%n", r.keys()));
            return b.toString();
        }
        b.append(String.format("verdict: VIOLATED — %d of %d keys: %s%n", r.violations().size(), r.keys(),
                r.byKind().entrySet().stream().map(e -> e.getKey().label() + " " + e.getValue()).collect(Collectors.joining(", "))));
        r.violations().stream().limit(list).forEach(v -> b.append("  ").append(v.key()).append(' ')
                .append(v.kinds().stream().map(Violation::label).toList()).append(": ").append(v.detail()).append('\n'));
        if (r.violations().size() > list) {
            b.append("  … and ").append(r.violations().size() - list).append(" more\n");
        }
        return b.toString();
    }

    static String json(HistoryChecker.Result r) {
        StringBuilder b = new StringBuilder("{\"ok\":").append(r.ok()).append(",\"keys\":").append(r.keys())
                .append(",\"operations\":").append(r.operations()).append(",\"executions\":").append(r.executions())
                .append(",\"violating_keys\":").append(r.violations().size()).append(",\"stale_refused\":").append(r.staleRefused())
                .append(",\"violations\":{");
        String sep = "";
        for (Violation v : Violation.values()) {
            b.append(sep).append('"').append(v.label()).append("\":").append(r.violationCount(v));
            sep = ",";
        }
        b.append("},\"allowed_keys\":{");
        sep = "";
        for (Map.Entry<String, Long> e : r.allowedByReason().entrySet()) {
            b.append(sep).append('"').append(e.getKey()).append("\":").append(e.getValue());
            sep = ",";
        }
        b.append("},\"violating\":[");
        sep = "";
        for (HistoryChecker.KeyViolation v : r.violations().stream().limit(100).toList()) {
            b.append(sep).append("{\"key\":\"").append(v.key()).append("\",\"kinds\":[")
                    .append(v.kinds().stream().map(k -> "\"" + k.label() + "\"").collect(Collectors.joining(",")))
                    .append("],\"detail\":\"").append(v.detail().replace("\\", "\\\\").replace("\"", "'")).append("\"}");
            sep = ",";
        }
        return b.append("]}\n").toString();
    }
}
