package io.idemgate.gateway.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The futures a store hands out from {@code awaitChange}, by record id; both stores keep theirs here, so
 * they wake alike. A future leaves its set as soon as it is done, however that happens (woken, cancelled
 * or timed out by its waiter, failed), and an emptied set leaves the map: waiters that give up leave
 * nothing behind.
 *
 * <p>A wake detaches the id's whole set in one map operation, then completes it: a waiter that registers
 * during a wake is either in the detached set (woken) or in a fresh one (it registered after the change,
 * and its store's look at the record decides).
 *
 * <p>Threading: any thread. Futures are always completed after the map operation that detached them has
 * returned, so a waiter's callbacks never run under a lock of this map (or of a store's record map).
 */
public final class Waiters {

    private final ConcurrentHashMap<String, Set<CompletableFuture<Void>>> byId = new ConcurrentHashMap<>();

    public CompletableFuture<Void> register(String id) {
        CompletableFuture<Void> future = new CompletableFuture<>();
        // Added inside the map operation: a concurrent removal of the last waiter cannot orphan this set.
        byId.compute(id, (key, set) -> {
            Set<CompletableFuture<Void>> waiting = set == null ? ConcurrentHashMap.newKeySet() : set;
            waiting.add(future);
            return waiting;
        });
        future.whenComplete((ignored, failure) -> forget(id, future));
        return future;
    }

    /** Completes every waiter of {@code id}. */
    public void wake(String id) {
        Set<CompletableFuture<Void>> waiting = byId.remove(id);
        if (waiting != null) {
            waiting.forEach(future -> future.complete(null));
        }
    }

    /** Wakes the waiters of every id that {@code shouldWake} accepts; work is bounded by the ids waited on. */
    public void wakeWhere(Predicate<String> shouldWake) {
        for (String id : byId.keySet()) {
            if (shouldWake.test(id)) {
                wake(id);
            }
        }
    }

    /** Up to {@code limit} ids someone waits on (a store's bounded re-check). */
    public List<String> ids(int limit) {
        List<String> ids = new ArrayList<>();
        for (String id : byId.keySet()) {
            if (ids.size() >= limit) {
                break;
            }
            ids.add(id);
        }
        return ids;
    }

    /** Fails every waiter with {@code failure}; used when the store closes. */
    public void failAll(Throwable failure) {
        for (String id : byId.keySet()) {
            Set<CompletableFuture<Void>> waiting = byId.remove(id);
            if (waiting != null) {
                waiting.forEach(future -> future.completeExceptionally(failure));
            }
        }
    }

    /** Futures still pending. */
    public int count() {
        int count = 0;
        for (Set<CompletableFuture<Void>> waiting : byId.values()) {
            count += waiting.size();
        }
        return count;
    }

    /** Ids with at least one pending future. */
    public int idCount() {
        return byId.size();
    }

    private void forget(String id, CompletableFuture<Void> future) {
        byId.computeIfPresent(id, (key, waiting) -> {
            waiting.remove(future);
            return waiting.isEmpty() ? null : waiting;
        });
    }
}
