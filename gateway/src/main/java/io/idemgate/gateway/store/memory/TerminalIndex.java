package io.idemgate.gateway.store.memory;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The completed and outcome-unknown slots, ordered by expiry for the sweeper and for reclaiming room.
 * In-flight slots are never here, so they never expire.
 *
 * <p>Threading: the store adds and removes a slot inside the map operation that installs or removes it,
 * so the index follows the map exactly; each lookup or removal costs O(log n), with no stale entries
 * to skip and no full scans.
 */
final class TerminalIndex {

    private final ConcurrentSkipListMap<Slot, Boolean> byExpiry = new ConcurrentSkipListMap<>(Slot.BY_EXPIRY);

    void add(Slot slot) {
        if (slot.terminal()) {
            byExpiry.put(slot, Boolean.TRUE);
        }
    }

    void remove(Slot slot) {
        if (slot.terminal()) {
            byExpiry.remove(slot);
        }
    }

    /** The slot whose expiry is soonest, if it has passed. */
    Slot firstExpired(Instant now) {
        Slot soonest = first(byExpiry);
        return soonest != null && soonest.expired(now) ? soonest : null;
    }

    private static Slot first(ConcurrentSkipListMap<Slot, Boolean> index) {
        Map.Entry<Slot, Boolean> first = index.firstEntry(); // null when empty, where firstKey() would throw
        return first == null ? null : first.getKey();
    }
}
