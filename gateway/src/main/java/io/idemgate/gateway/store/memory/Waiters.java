package io.idemgate.gateway.store.memory;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The futures handed out by {@code awaitChange}, per id. A future leaves its set as soon as it is done,
 * however that happens (woken, cancelled, timed out by the caller), and an emptied set leaves the map,
 * so waiters that give up leave nothing behind.
 *
 * <p>Threading: any thread. Futures are always completed after the map operation that detached them has
 * returned, so a waiter's callbacks never run under a lock of this map or of the record map.
 */
final class Waiters {

    private final ConcurrentHashMap<String, Set<CompletableFuture<Void>>> byId = new ConcurrentHashMap<>();

    CompletableFuture<Void> register(String id) {
        CompletableFuture<Void> future = new CompletableFuture<>();
        byId.compute(id, (key, set) -> {
            Set<CompletableFuture<Void>> waiting = set == null ? ConcurrentHashMap.newKeySet() : set;
            waiting.add(future);
            return waiting;
        });
        future.whenComplete((ignored, failure) -> forget(id, future));
        return future;
    }

    /** Completes every waiter of {@code id}. */
    void wake(String id) {
        Set<CompletableFuture<Void>> waiting = byId.remove(id);
        if (waiting != null) {
            waiting.forEach(future -> future.complete(null));
        }
    }

    /** Wakes the waiters of every id that {@code shouldWake} accepts; work is bounded by the ids waited on. */
    void wakeWhere(Predicate<String> shouldWake) {
        for (String id : byId.keySet()) {
            if (shouldWake.test(id)) {
                wake(id);
            }
        }
    }

    /** Fails every waiter with {@code failure}; used when the store closes. */
    void failAll(Throwable failure) {
        for (String id : byId.keySet()) {
            Set<CompletableFuture<Void>> waiting = byId.remove(id);
            if (waiting != null) {
                waiting.forEach(future -> future.completeExceptionally(failure));
            }
        }
    }

    int count() {
        int count = 0;
        for (Set<CompletableFuture<Void>> waiting : byId.values()) {
            count += waiting.size();
        }
        return count;
    }

    int ids() {
        return byId.size();
    }

    private void forget(String id, CompletableFuture<Void> future) {
        byId.computeIfPresent(id, (key, waiting) -> {
            waiting.remove(future);
            return waiting.isEmpty() ? null : waiting;
        });
    }
}
