package io.idemgate.loadtest.load;

import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** A finished run: what was sent, how it was answered, and the exactly-once verdict. */
public record LoadResult(LoadOptions options, double seconds, long planned, long sent, long completed,
        Map<String, Long> errors, LatencyStats latency, long keys, Verification verification) {

    public double achievedRate() {
        return sent / seconds;
    }

    public long count(Outcome outcome) {
        return latency.count(outcome);
    }

    /** The table printed at the end of a run. */
    public String summary() {
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "%s %s: %.1f s, sent %d of %d planned (%.0f req/s), answered %d, keys sent %d%n",
                options.closedLoop() ? "closed loop," + options.connections() + " connections" : "open loop at " + options.rate() + "/s",
                options.target(), seconds, sent, planned, achievedRate(), completed, keys));
        if (!options.closedLoop() && sent < planned * 0.9) {
            s.append(String.format(Locale.ROOT, "WARNING: only %d of %d planned requests were sent: the target (or this machine) "
                    + "did not keep up; open-loop latencies include the wait from each intended send time%n", sent, planned));
        }
        if (!errors.isEmpty()) {
            s.append("errors: ").append(errors).append(System.lineSeparator());
        }
        s.append(latency.table());
        s.append(verification.summary()).append(System.lineSeparator());
        return s.toString();
    }

    public String json() {
        String errorsJson = errors.entrySet().stream().map(e -> "\"" + e.getKey() + "\":" + e.getValue())
                .collect(Collectors.joining(",", "{", "}"));
        String examples = verification.examples().stream().map(LoadResult::quote).collect(Collectors.joining(",", "[", "]"));
        return String.format(Locale.ROOT, "{\"target\":%s,\"mode\":\"%s\",\"rate\":%s,\"connections\":%d,"
                        + "\"duplicate_ratio\":%s,\"burst\":%d,\"burst_every_ms\":%d,\"body_bytes\":%d,"
                        + "\"seconds\":%.3f,\"planned\":%d,\"sent\":%d,\"completed\":%d,\"achieved_rate\":%.1f,\"keys\":%d,"
                        + "\"errors\":%s,\"latency\":%s,"
                        + "\"exactly_once\":{\"ok\":%s,\"ledger_checked\":%s,\"keys\":%d,\"violations\":%d,\"unverifiable_keys\":%d,"
                        + "\"reexecution_allowed\":%s,\"reexecuted_keys\":%d,\"extra_executions\":%d,\"examples\":%s}}%n",
                quote(options.target().toString()), options.closedLoop() ? "closed" : "open", options.rate(), options.connections(),
                options.duplicateRatio(), options.burst(), options.burstEvery().toMillis(), options.bodyBytes(),
                seconds, planned, sent, completed, achievedRate(), keys, errorsJson, latency.json(),
                verification.ok(), verification.ledgerChecked(), verification.keys(), verification.violations(),
                verification.unreachableKeys(), verification.reexecutionAllowed(), verification.reexecutedKeys(),
                verification.extraExecutions(), examples);
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
