package io.idemgate.gateway.store.memory;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The completed and outcome-unknown slots, ordered twice: by age for eviction and by expiry for the
 * sweeper. In-flight slots are never here, so they can never be evicted or expired.
 *
 * <p>Threading: the store adds and removes a slot inside the map operation that installs or removes it,
 * so the index follows the map exactly; each lookup or removal costs O(log n), with no stale entries
 * to skip and no full scans.
 */
final class TerminalIndex {

    private final ConcurrentSkipListMap<Slot, Boolean> byAge = new ConcurrentSkipListMap<>(Slot.BY_AGE);
    private final ConcurrentSkipListMap<Slot, Boolean> byExpiry = new ConcurrentSkipListMap<>(Slot.BY_EXPIRY);

    void add(Slot slot) {
        if (slot.terminal()) {
            byAge.put(slot, Boolean.TRUE);
            byExpiry.put(slot, Boolean.TRUE);
        }
    }

    void remove(Slot slot) {
        if (slot.terminal()) {
            byAge.remove(slot);
            byExpiry.remove(slot);
        }
    }

    /** The slot whose expiry is soonest, if it has passed. */
    Slot firstExpired(Instant now) {
        Slot soonest = first(byExpiry);
        return soonest != null && soonest.expired(now) ? soonest : null;
    }

    /** What to evict to make room: an expired record first, else the one that stopped being in flight first. */
    Slot evictionCandidate(Instant now) {
        Slot expired = firstExpired(now);
        return expired != null ? expired : first(byAge);
    }

    private static Slot first(ConcurrentSkipListMap<Slot, Boolean> index) {
        Map.Entry<Slot, Boolean> first = index.firstEntry(); // null when empty, where firstKey() would throw
        return first == null ? null : first.getKey();
    }
}
