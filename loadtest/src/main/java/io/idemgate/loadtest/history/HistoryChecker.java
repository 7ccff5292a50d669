package io.idemgate.loadtest.history;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Checks a run's history against the idempotency contract, key by key (Jepsen-style: from what the client saw and
 * what the upstream executed, never from the gateway's internals):
 * <ul>
 *   <li>a key executes at most once, unless its history holds an event that allows another: an operation whose
 *       outcome is unknown (no answer, 504, 502 after sending) on an {@code outcome-unknown = reexecute} route, or
 *       one unit of a run-wide allowance counted by the gateway itself (fail-open requests, completions whose
 *       {@code WAIT} was not confirmed), read from its metrics by the scenario;</li>
 *   <li>every 2xx answer for a key equals its first 2xx answer, status and body; a key answered 2xx executed;</li>
 *   <li>fences of the requests that reached the upstream are distinct, and the ledger never executed one that was
 *       not above every fence it had already seen for the key.</li>
 * </ul>
 * A key whose extra executions are covered by a run-wide allowance may also answer differently (the allowance is
 * exactly the case where a stored answer may be lost); one covered only by its own unknown outcomes may not.
 */
public final class HistoryChecker {

    /** One key that broke the contract, and how. */
    public record KeyViolation(String key, Set<Violation> kinds, String detail) {
    }

    /** The verdict and the numbers behind it. */
    public record Result(int keys, long operations, long executions, Map<String, Long> allowedByReason,
            long staleRefused, Map<Violation, Long> byKind, List<KeyViolation> violations, Map<String, Long> allowanceLeft) {

        public boolean ok() {
            return violations.isEmpty();
        }

        public long violationCount(Violation v) {
            return byKind.getOrDefault(v, 0L);
        }
    }

    /** Extra executions allowed for the whole run, by reason (e.g. {@code fail-open=120}), used in this order. */
    private final Map<String, Long> allowances;
    private final boolean reexecuteOnUnknown;

    public HistoryChecker(boolean reexecuteOnUnknown, Map<String, Long> allowances) {
        this.reexecuteOnUnknown = reexecuteOnUnknown;
        this.allowances = new LinkedHashMap<>(allowances);
    }

    public Result check(List<ClientOp> ops, List<Execution> executions) {
        Map<String, List<ClientOp>> opsByKey = new TreeMap<>();
        for (ClientOp op : ops) {
            opsByKey.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
        }
        Map<String, List<Execution>> execByKey = new TreeMap<>();
        for (Execution e : executions) {
            execByKey.computeIfAbsent(e.key(), k -> new ArrayList<>()).add(e); // file order = arrival order
        }
        // Keys in the order the client first used them, so allowances go to the earliest keys deterministically.
        List<String> keys = new ArrayList<>(opsByKey.keySet());
        for (String k : execByKey.keySet()) {
            if (!opsByKey.containsKey(k)) {
                keys.add(k);
            }
        }
        keys.sort(Comparator.comparingLong((String k) -> opsByKey.containsKey(k)
                ? opsByKey.get(k).stream().mapToLong(ClientOp::sentMicros).min().orElse(0) : Long.MAX_VALUE)
                .thenComparing(k -> k));

        Map<String, Long> left = new LinkedHashMap<>(allowances);
        Map<String, Long> allowed = new LinkedHashMap<>();
        Map<Violation, Long> byKind = new TreeMap<>();
        List<KeyViolation> violations = new ArrayList<>();
        long staleRefused = 0;
        long executed = 0;
        for (String key : keys) {
            List<ClientOp> kops = new ArrayList<>(opsByKey.getOrDefault(key, List.of()));
            kops.sort(Comparator.comparingLong(ClientOp::sentMicros));
            List<Execution> kex = execByKey.getOrDefault(key, List.of());
            EnumSet<Violation> kinds = EnumSet.noneOf(Violation.class);
            List<String> detail = new ArrayList<>();

            long accepted = kex.stream().filter(Execution::accepted).count();
            executed += accepted;
            staleRefused += kex.size() - accepted;
            long unknown = kops.stream().filter(ClientOp::outcomeUnknown).count();
            long extra = Math.max(0, accepted - 1);
            long byUnknown = reexecuteOnUnknown ? Math.min(extra, unknown) : 0;
            long need = extra - byUnknown;
            long fromRun = 0;
            for (Map.Entry<String, Long> a : left.entrySet()) {
                long take = Math.min(need - fromRun, a.getValue());
                if (take > 0) {
                    a.setValue(a.getValue() - take);
                    allowed.merge(a.getKey(), 1L, Long::sum);
                    fromRun += take;
                }
            }
            if (byUnknown > 0) {
                allowed.merge("outcome-unknown", 1L, Long::sum);
            }
            if (need > fromRun) {
                kinds.add(Violation.DUPLICATE_EXECUTION);
                detail.add("executed " + accepted + " times, " + (1 + byUnknown + fromRun) + " allowed ("
                        + unknown + " operations with unknown outcome)");
            }
            boolean answersMayDiffer = fromRun > 0;

            ClientOp first = null;
            for (ClientOp op : kops) {
                if (!op.success()) {
                    continue;
                }
                if (first == null || op.answeredMicros() < first.answeredMicros()) {
                    first = op;
                }
            }
            if (first != null) {
                for (ClientOp op : kops) {
                    if (!op.success() || op == first) {
                        continue;
                    }
                    if ((op.status() != first.status() || !op.bodyHash().equals(first.bodyHash())) && !answersMayDiffer) {
                        kinds.add(Violation.REPLAY_DIFFERS);
                        detail.add("answer " + op.status() + " " + op.bodyHash() + " at " + op.answeredMicros()
                                + " differs from the first " + first.status() + " " + first.bodyHash());
                    }
                    if (!op.replayed() && op.sentMicros() > first.answeredMicros() && !answersMayDiffer) {
                        kinds.add(Violation.COMPLETION_LOST);
                        detail.add("fresh answer to a request sent " + (op.sentMicros() - first.answeredMicros())
                                + " us after the client had the first");
                    }
                }
                if (accepted == 0) {
                    kinds.add(Violation.ANSWERED_NOT_EXECUTED);
                    detail.add("answered " + first.status() + " but never executed");
                }
            }

            long maxFence = Long.MIN_VALUE;
            Set<Long> seen = new HashSet<>();
            for (Execution e : kex) {
                if (e.fence() < 0) {
                    continue;
                }
                if (!seen.add(e.fence())) {
                    kinds.add(Violation.FENCE_REUSED);
                    detail.add("fence " + e.fence() + " reached the upstream twice");
                }
                if (e.accepted() && e.fence() < maxFence) {
                    kinds.add(Violation.STALE_FENCE_ACCEPTED);
                    detail.add("executed fence " + e.fence() + " after fence " + maxFence);
                }
                maxFence = Math.max(maxFence, e.fence());
            }

            if (!kinds.isEmpty()) {
                for (Violation v : kinds) {
                    byKind.merge(v, 1L, Long::sum);
                }
                violations.add(new KeyViolation(key, kinds, String.join("; ", detail)));
            }
        }
        return new Result(keys.size(), ops.size(), executed, allowed, staleRefused, byKind, violations, left);
    }
}
