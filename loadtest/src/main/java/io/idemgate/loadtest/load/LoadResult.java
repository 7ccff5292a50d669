package io.idemgate.loadtest.load;

import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A finished run: what was sent, how it was answered, and the exactly-once verdict.
 *
 * @param pace the measured requests' asked and achieved rates over the real send window
 * @param planned, sent, completed all requests, warm-up included
 * @param responses requests that got an HTTP response of any status
 * @param timeline the run second by second
 * @param connectFailures failed connection attempts (a dead target is retried every 200 ms per connection)
 * @param lastConnectError why the last of them failed, or null
 */
public record LoadResult(LoadOptions options, Pace pace, long planned, long sent, long completed, long responses,
        Map<String, Long> errors, LatencyStats latency, Timeline timeline, long keys, Verification verification,
        long connectFailures, String lastConnectError) {

    public double achievedRate() {
        return pace.achievedRate();
    }

    public long count(Outcome outcome) {
        return latency.count(outcome);
    }

    /** Nothing came back: no latency, no verdict, only why. */
    public boolean nothingMeasured() {
        return responses == 0;
    }

    public boolean behind() {
        return pace.behind(options.closedLoop());
    }

    /** The table printed at the end of a run. */
    public String summary() {
        StringBuilder s = new StringBuilder();
        if (nothingMeasured()) {
            s.append("NOTHING MEASURED: no request to ").append(options.target()).append(" was answered");
            if (sent == 0) {
                s.append(" (none could be sent)");
            }
            s.append(System.lineSeparator());
            if (connectFailures > 0) {
                s.append(String.format(Locale.ROOT, "  cannot connect to %s:%d: %s (%d attempts failed)%n",
                        options.host(), options.port(), lastConnectError, connectFailures));
            }
            if (!errors.isEmpty()) {
                s.append("  errors: ").append(errors).append(System.lineSeparator());
            }
            if (!verification.ok()) {
                s.append(verification.summary()).append(System.lineSeparator());
            }
            return s.toString();
        }
        if (options.closedLoop()) {
            s.append(String.format(Locale.ROOT, "closed loop, %d connections, %s: sent %d in %.1f s (%.0f req/s), "
                            + "answered %d, keys sent %d%n", options.connections(), options.target(), pace.sent(),
                    pace.sendSeconds(), pace.achievedRate(), completed, keys));
        } else {
            s.append(String.format(Locale.ROOT, "open loop at %s/s, %s: %d planned over %.1f s, sent %d in %.1f s "
                            + "(%.0f req/s achieved), answered %d, keys sent %d, backlog peak %d%n",
                    rate(options.rate()), options.target(), pace.planned(), pace.askedSeconds(), pace.sent(),
                    pace.sendSeconds(), pace.achievedRate(), completed, keys, pace.maxBacklog()));
        }
        if (options.warmup().toNanos() > 0) {
            s.append(String.format(Locale.ROOT, "warm-up: %d requests in the first %.1f s, answered and verified, not measured%n",
                    sent - pace.sent(), options.warmup().toNanos() / 1e9));
            if (!options.closedLoop()) {
                s.append(String.format(Locale.ROOT, "warm-up backlog peak %d (not measured)%n", timeline.warmupMaxBacklog()));
            }
        }
        if (behind()) {
            s.append(String.format(Locale.ROOT, "WARNING: fell behind: %.0f req/s achieved of %.0f asked (%d requests "
                            + "planned over %.1f s took %.1f s to send, up to %d waited for a connection); the target "
                            + "(or this machine) did not keep up. Open-loop latencies include that wait.%n",
                    pace.achievedRate(), pace.askedRate(), pace.planned(), pace.askedSeconds(), pace.sendSeconds(),
                    pace.maxBacklog()));
        }
        if (!errors.isEmpty()) {
            s.append("errors: ").append(errors).append(System.lineSeparator());
        }
        if (connectFailures > 0) {
            s.append(String.format(Locale.ROOT, "connect failures: %d (last: %s)%n", connectFailures, lastConnectError));
        }
        s.append(latency.table());
        String worst = timeline.worstSummary(5);
        if (!worst.isEmpty()) {
            s.append("slowest measured seconds (").append(options.closedLoop() ? "of send time" : "of intended send time")
                    .append("; --timeline FILE for every second):").append(System.lineSeparator()).append(worst);
        }
        s.append(verification.summary()).append(System.lineSeparator());
        return s.toString();
    }

    private static String rate(double r) {
        return r == Math.rint(r) ? Long.toString((long) r) : Double.toString(r);
    }

    public String json() {
        String errorsJson = errors.entrySet().stream().map(e -> "\"" + e.getKey() + "\":" + e.getValue())
                .collect(Collectors.joining(",", "{", "}"));
        String examples = verification.examples().stream().map(LoadResult::quote).collect(Collectors.joining(",", "[", "]"));
        return String.format(Locale.ROOT, "{\"target\":%s,\"mode\":\"%s\",\"rate\":%s,\"connections\":%d,"
                        + "\"duplicate_ratio\":%s,\"burst\":%d,\"burst_every_ms\":%d,\"body_bytes\":%d,"
                        + "\"duration_s\":%.3f,\"warmup_s\":%.3f,\"seconds\":%.3f,\"measured_planned\":%d,\"measured_sent\":%d,"
                        + "\"asked_rate\":%.1f,\"achieved_rate\":%.1f,\"behind\":%s,\"max_backlog\":%d,\"max_backlog_warmup\":%d,"
                        + "\"planned\":%d,\"sent\":%d,\"completed\":%d,\"responses\":%d,\"nothing_measured\":%s,"
                        + "\"connect_failures\":%d,\"keys\":%d,"
                        + "\"errors\":%s,\"latency\":%s,"
                        + "\"exactly_once\":{\"ok\":%s,\"ledger_checked\":%s,\"keys\":%d,\"violations\":%d,\"unverifiable_keys\":%d,"
                        + "\"reexecution_allowed\":%s,\"reexecuted_keys\":%d,\"extra_executions\":%d,\"examples\":%s}}%n",
                quote(options.target().toString()), options.closedLoop() ? "closed" : "open", options.rate(), options.connections(),
                options.duplicateRatio(), options.burst(), options.burstEvery().toMillis(), options.bodyBytes(),
                pace.askedSeconds(), options.warmup().toNanos() / 1e9, pace.sendSeconds(), pace.planned(), pace.sent(),
                pace.askedRate(), pace.achievedRate(), behind(), pace.maxBacklog(), timeline.warmupMaxBacklog(),
                planned, sent, completed, responses, nothingMeasured(), connectFailures, keys, errorsJson, latency.json(),
                verification.ok() && !nothingMeasured(), verification.ledgerChecked(), verification.keys(),
                verification.violations(), verification.unreachableKeys(), verification.reexecutionAllowed(),
                verification.reexecutedKeys(), verification.extraExecutions(), examples);
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
