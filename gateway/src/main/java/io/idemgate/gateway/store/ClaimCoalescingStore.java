package io.idemgate.gateway.store;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Claims of one key that overlap on this instance share one store call. When a key's first request
 * completes, every duplicate parked on it wakes at once and claims again: 10,000 waiters were 10,000
 * claim scripts, each answering the same stored response. Now the first claim goes to the store and
 * the ones that arrive while it is out wait for its answer: if it is someone's record
 * ({@link ClaimResult.Existing}) they all get it, as their own claims would have; if it made the first
 * claimant the owner, only that one can own the key, so each of the others claims again for itself
 * (and will see the new owner's record). Only claims that would act alike are joined: same key, same
 * fingerprint, same takeover flag.
 *
 * <p>Threading: any thread; lock-free except for a short synchronized join on one pending claim.
 */
public final class ClaimCoalescingStore extends ForwardingIdempotencyStore {

    private record Key(String id, String fingerprint, boolean takeOverUnknown) {
    }

    /** One claim out at the store, and the claims joined to it while it was out (most claims: none). */
    private static final class Pending {
        private List<Joined> joined = List.of();
        private boolean settled;
    }

    private record Joined(CompletableFuture<ClaimResult> answer, String owner, Duration lease, Duration unknownTtl) {
    }

    private final ConcurrentHashMap<Key, Pending> pending = new ConcurrentHashMap<>();

    public ClaimCoalescingStore(IdempotencyStore delegate) {
        super(delegate);
    }

    @Override
    public CompletionStage<ClaimResult> claim(String id, String fingerprint, String owner, Duration lease,
                                              boolean takeOverUnknown, Duration unknownTtl) {
        Key key = new Key(id, fingerprint, takeOverUnknown);
        while (true) {
            Pending mine = new Pending();
            Pending out = pending.putIfAbsent(key, mine);
            if (out == null) {
                return send(key, mine, owner, lease, unknownTtl);
            }
            synchronized (out) {
                if (!out.settled) {
                    CompletableFuture<ClaimResult> answer = new CompletableFuture<>();
                    if (out.joined.isEmpty()) {
                        out.joined = new ArrayList<>();
                    }
                    out.joined.add(new Joined(answer, owner, lease, unknownTtl));
                    return answer;
                }
            }
            // Settled between the lookup and the join: it is leaving the map; go again.
            pending.remove(key, out);
        }
    }

    private CompletionStage<ClaimResult> send(Key key, Pending mine, String owner, Duration lease, Duration unknownTtl) {
        CompletionStage<ClaimResult> first;
        try {
            first = delegate().claim(key.id(), key.fingerprint(), owner, lease, key.takeOverUnknown(), unknownTtl);
        } catch (RuntimeException e) {
            first = CompletableFuture.failedFuture(e);
        }
        return first.whenComplete((result, failure) -> {
            List<Joined> joined;
            synchronized (mine) {
                mine.settled = true;
                joined = mine.joined;
            }
            pending.remove(key, mine);
            for (Joined j : joined) {
                if (failure != null) {
                    j.answer().completeExceptionally(failure);
                } else if (result instanceof ClaimResult.Existing) {
                    j.answer().complete(result);
                } else {
                    // The first claimant owns the key; this one claims for itself (and finds that owner).
                    claim(key.id(), key.fingerprint(), j.owner(), j.lease(), key.takeOverUnknown(), j.unknownTtl())
                            .whenComplete((r, e) -> {
                                if (e != null) {
                                    j.answer().completeExceptionally(e);
                                } else {
                                    j.answer().complete(r);
                                }
                            });
                }
            }
        });
    }

    /** Claims out at the store now, for tests: the map forgets every settled claim. */
    int pendingClaims() {
        return pending.size();
    }
}
