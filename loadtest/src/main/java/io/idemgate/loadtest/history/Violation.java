package io.idemgate.loadtest.history;

/** What the history checker can find wrong with one key. */
public enum Violation {
    /** The ledger executed the key more often than the contract allows for the events in its history. */
    DUPLICATE_EXECUTION("duplicate-execution"),
    /** A 2xx answer for the key differs (status or body) from its first 2xx answer. */
    REPLAY_DIFFERS("replay-differs"),
    /** A fresh (not replayed) 2xx answer came for a request sent after the client already had a 2xx for the key. */
    COMPLETION_LOST("completion-lost"),
    /** The client got a 2xx but the ledger never executed the key. */
    ANSWERED_NOT_EXECUTED("answered-not-executed"),
    /** Two requests for the key reached the upstream with the same fence: fences are not strictly growing. */
    FENCE_REUSED("fence-reused"),
    /** The ledger executed a request whose fence was not above one it had already seen for the key. */
    STALE_FENCE_ACCEPTED("stale-fence-accepted");

    private final String label;

    Violation(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
