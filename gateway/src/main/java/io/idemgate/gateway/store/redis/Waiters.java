package io.idemgate.gateway.store.redis;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The local futures handed out by {@code awaitChange}, by record id. A future leaves as soon as it is
 * done for any reason (woken, cancelled by its waiter, failed), so the map holds only live waiters.
 *
 * <p>Threading: any thread; futures are completed outside map operations.
 */
final class Waiters {

    private final ConcurrentHashMap<String, Set<CompletableFuture<Void>>> byId = new ConcurrentHashMap<>();

    CompletableFuture<Void> register(String id) {
        CompletableFuture<Void> change = new CompletableFuture<>();
        // Added inside the map operation: a concurrent removal of the last waiter cannot orphan this set.
        byId.compute(id, (key, set) -> {
            Set<CompletableFuture<Void>> waiting = set == null ? ConcurrentHashMap.newKeySet() : set;
            waiting.add(change);
            return waiting;
        });
        change.whenComplete((ignored, failure) -> byId.computeIfPresent(id, (key, set) -> {
            set.remove(change);
            return set.isEmpty() ? null : set;
        }));
        return change;
    }

    void wake(String id) {
        Set<CompletableFuture<Void>> waiting = byId.get(id);
        if (waiting != null) {
            for (CompletableFuture<Void> change : List.copyOf(waiting)) {
                change.complete(null);
            }
        }
    }

    /** Up to {@code limit} ids someone waits on, for the fallback re-check. */
    List<String> ids(int limit) {
        List<String> ids = new ArrayList<>();
        for (String id : byId.keySet()) {
            if (ids.size() >= limit) {
                break;
            }
            ids.add(id);
        }
        return ids;
    }

    int count() {
        return byId.values().stream().mapToInt(Set::size).sum();
    }

    void failAll(Throwable failure) {
        for (Set<CompletableFuture<Void>> waiting : List.copyOf(byId.values())) {
            for (CompletableFuture<Void> change : List.copyOf(waiting)) {
                change.completeExceptionally(failure);
            }
        }
    }
}
