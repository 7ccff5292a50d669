package io.idemgate.loadtest.load;

import java.util.List;

/**
 * What the exactly-once check found.
 *
 * @param keys            keys checked
 * @param ledgerChecked   whether execution counts came from a ledger ({@code --ledger})
 * @param violations      how many keys broke exactly-once or answered differing bodies
 * @param examples        the first few violations, described
 * @param unreachableKeys keys the ledger could not be asked about
 */
public record Verification(long keys, boolean ledgerChecked, long violations, List<String> examples, long unreachableKeys) {

    public boolean ok() {
        return violations == 0 && unreachableKeys == 0;
    }

    public String summary() {
        if (ok()) {
            return "exactly-once: OK (" + keys + " keys" + (ledgerChecked ? "" : "; responses compared only, no --ledger") + ")";
        }
        StringBuilder s = new StringBuilder("exactly-once: VIOLATED — " + violations + " of " + keys + " keys");
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
