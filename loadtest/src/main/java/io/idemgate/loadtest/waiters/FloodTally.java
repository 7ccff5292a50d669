package io.idemgate.loadtest.waiters;

import java.util.Map;
import java.util.TreeMap;

/**
 * The answers of one same-key flood: how many per status, how many replayed, and whether every
 * answer carried the first answer's status and body (compared by hash). Confined to one event loop.
 */
final class FloodTally {

    private final Map<String, Long> byStatus = new TreeMap<>();
    private long answered;
    private long failed;
    private long replayed;
    private long differing;
    private long firstHash;
    private int firstStatus;

    void answer(int status, boolean wasReplayed, long bodyHash) {
        if (answered++ == 0) {
            firstStatus = status;
            firstHash = bodyHash;
        } else if (status != firstStatus || bodyHash != firstHash) {
            differing++;
        }
        if (wasReplayed) {
            replayed++;
        }
        byStatus.merge(Integer.toString(status), 1L, Long::sum);
    }

    /** A request that got no answer: the connection failed or closed, or the run timed out. */
    void failure(String reason) {
        failed++;
        byStatus.merge(reason, 1L, Long::sum);
    }

    long answered() {
        return answered;
    }

    long finished() {
        return answered + failed;
    }

    /** Every one of {@code expected} requests answered 2xx with one and the same status and body. */
    boolean allIdentical(long expected) {
        return answered == expected && failed == 0 && differing == 0 && firstStatus >= 200 && firstStatus < 300;
    }

    String summary(long expected) {
        return "answered " + answered + " of " + expected + ", failed " + failed + ", replayed " + replayed
                + ", differing from the first " + differing + ", by status " + byStatus
                + System.lineSeparator() + "same body for all: " + (allIdentical(expected) ? "YES" : "NO");
    }
}
