package io.idemgate.loadtest.load;

import java.util.List;

/**
 * What the exactly-once check found.
 *
 * @param keys             keys checked
 * @param ledgerChecked    whether execution counts came from a ledger ({@code --ledger})
 * @param violations       how many keys broke exactly-once or answered differing bodies
 * @param examples         the first few violations, described
 * @param unreachableKeys  keys the ledger could not be asked about
 * @param reexecutedKeys   keys the ledger executed more than once (violations too, unless re-execution is allowed)
 * @param extraExecutions  executions beyond the first, summed over those keys
 * @param reexecutionAllowed whether {@code --allow-reexecution} turned those keys from violations into a count
 */
public record Verification(long keys, boolean ledgerChecked, long violations, List<String> examples, long unreachableKeys,
        long reexecutedKeys, long extraExecutions, boolean reexecutionAllowed) {

    public boolean ok() {
        return violations == 0 && unreachableKeys == 0;
    }

    public String summary() {
        String reexecuted = reexecutionAllowed
                ? "; re-executed (allowed): " + reexecutedKeys + " keys, " + extraExecutions + " extra executions" : "";
        if (ok()) {
            return (reexecutionAllowed ? "at-most-once-or-reported: OK (" : "exactly-once: OK (") + keys + " keys"
                    + (ledgerChecked ? "" : "; responses compared only, no --ledger") + reexecuted + ")";
        }
        StringBuilder s = new StringBuilder("exactly-once: VIOLATED — " + violations + " of " + keys + " keys" + reexecuted);
        if (unreachableKeys > 0) {
            s.append(", ").append(unreachableKeys).append(" keys not verifiable (ledger unreachable)");
        }
        examples.forEach(e -> s.append(System.lineSeparator()).append("  ").append(e));
        if (violations > examples.size()) {
            s.append(System.lineSeparator()).append("  … and ").append(violations - examples.size()).append(" more");
        }
        return s.toString();
    }
}
