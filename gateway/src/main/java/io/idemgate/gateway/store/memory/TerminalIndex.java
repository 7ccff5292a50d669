package io.idemgate.gateway.store.memory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The completed and outcome-unknown slots, by expiry second, for the sweeper and for reclaiming room.
 * In-flight slots are never here, so they never expire.
 *
 * <p>One bucket per second of expiry, each an array of slots: adding and removing a slot is O(1) (a slot
 * remembers its place; removal moves the bucket's last slot into the hole), and the index costs a record
 * one array reference instead of a skip-list node and part of an index node (objects the collector would
 * mark, and copy, for every live record). Only the buckets, one per second of the ttl range, are in a
 * sorted map. Within a second the order is arbitrary: every slot handed out has expired, and an expired
 * record is fair game whatever its place.
 *
 * <p>Threading: the store adds and removes a slot inside the map operation that installs or removes it,
 * so the index follows the map exactly; each bucket is guarded by its own lock, a slot's place by the lock
 * of the bucket that holds it.
 */
final class TerminalIndex {

    private static final long SECOND = 1_000_000_000L;
    private static final int INITIAL_CAPACITY = 16;

    /** One second's slots; {@code dead} once emptied and unlinked, so a late add goes to a fresh bucket. */
    private static final class Bucket {
        final long second;
        Slot[] slots = new Slot[INITIAL_CAPACITY];
        int size;
        boolean dead;

        Bucket(long second) {
            this.second = second;
        }
    }

    private final ConcurrentSkipListMap<Long, Bucket> buckets = new ConcurrentSkipListMap<>();
    /** The bucket the last add went to: most adds land in the same second (now + ttl), so skip the lookup. */
    private volatile Bucket recent;

    void add(Slot slot) {
        if (!slot.terminal()) {
            return;
        }
        long second = secondOf(slot.expiresAt);
        Bucket hint = recent;
        if (hint != null && hint.second == second && tryAdd(hint, slot)) {
            return;
        }
        while (true) {
            Bucket bucket = buckets.computeIfAbsent(second, Bucket::new);
            if (tryAdd(bucket, slot)) {
                recent = bucket;
                return;
            }
        }
    }

    void remove(Slot slot) {
        if (!slot.terminal()) {
            return;
        }
        Bucket bucket = buckets.get(secondOf(slot.expiresAt));
        if (bucket == null) {
            return;
        }
        synchronized (bucket) {
            int at = slot.indexPlace;
            if (at < 0 || at >= bucket.size || bucket.slots[at] != slot) {
                return; // not here (already removed): removing twice is a no-op
            }
            int last = --bucket.size;
            Slot moved = bucket.slots[last];
            bucket.slots[at] = moved;
            moved.indexPlace = at;
            bucket.slots[last] = null;
            slot.indexPlace = -1;
            if (bucket.size == 0) {
                bucket.dead = true;
                buckets.remove(bucket.second, bucket);
            }
        }
    }

    /** A slot whose expiry has passed, or null: any one, soonest second first. */
    Slot firstExpired(Instant now) {
        List<Slot> one = expired(now, 1);
        return one.isEmpty() ? null : one.get(0);
    }

    /**
     * Up to {@code max} slots whose expiry has passed, soonest second first, without removing them. A
     * second wholly past hands out its slots without looking at them; only the current second's bucket
     * is scanned (once per call), since part of it may not have expired yet.
     */
    List<Slot> expired(Instant now, int max) {
        long nowNanos = Slot.nanos(now);
        List<Slot> due = new ArrayList<>(Math.min(max, 64));
        for (Map.Entry<Long, Bucket> entry : buckets.headMap(secondOf(nowNanos), true).entrySet()) {
            Bucket bucket = entry.getValue();
            synchronized (bucket) {
                boolean wholly = (bucket.second + 1) * SECOND <= nowNanos; // every expiry in it is before the second's end
                for (int i = bucket.size - 1; i >= 0 && due.size() < max; i--) {
                    Slot slot = bucket.slots[i];
                    if (wholly || slot.expiresAt <= nowNanos) {
                        due.add(slot);
                    }
                }
            }
            if (due.size() >= max) {
                break;
            }
        }
        return due;
    }

    /** Slots held (for tests and the byte estimate's check). */
    int size() {
        int n = 0;
        for (Bucket bucket : buckets.values()) {
            synchronized (bucket) {
                n += bucket.size;
            }
        }
        return n;
    }

    /** Buckets held: one per second with at least one slot. */
    int buckets() {
        return buckets.size();
    }

    private static boolean tryAdd(Bucket bucket, Slot slot) {
        synchronized (bucket) {
            if (bucket.dead) {
                return false;
            }
            if (bucket.size == bucket.slots.length) {
                bucket.slots = Arrays.copyOf(bucket.slots, bucket.size * 2);
            }
            slot.indexPlace = bucket.size;
            bucket.slots[bucket.size++] = slot;
            return true;
        }
    }

    private static long secondOf(long epochNanos) {
        return Math.floorDiv(epochNanos, SECOND);
    }
}
