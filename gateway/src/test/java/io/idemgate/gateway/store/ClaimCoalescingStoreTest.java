package io.idemgate.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.idemgate.gateway.idempotency.IdempotencyRecord;
import io.idemgate.gateway.idempotency.StoredResponse;
import io.idemgate.gateway.store.ClaimResult.Claimed;
import io.idemgate.gateway.store.ClaimResult.Existing;
import io.idemgate.gateway.store.memory.MemoryIdempotencyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ClaimCoalescingStoreTest {

    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final Duration TTL = Duration.ofMinutes(5);

    /** Answers claims only when the test says so, and counts them. */
    private static final class HeldClaims implements IdempotencyStore {
        final List<CompletableFuture<ClaimResult>> claims = new ArrayList<>();
        final List<String> owners = new ArrayList<>();

        @Override
        public synchronized CompletionStage<ClaimResult> claim(String id, String fingerprint, String owner,
                                                               Duration lease, boolean takeOverUnknown, Duration unknownTtl) {
            CompletableFuture<ClaimResult> f = new CompletableFuture<>();
            claims.add(f);
            owners.add(owner);
            return f;
        }

        @Override public CompletionStage<Boolean> renew(String id, String owner, long fence, Duration lease) { throw new UnsupportedOperationException(); }
        @Override public CompletionStage<Boolean> complete(String id, String owner, long fence, StoredResponse response, Duration ttl) { throw new UnsupportedOperationException(); }
        @Override public CompletionStage<Boolean> release(String id, String owner, long fence) { throw new UnsupportedOperationException(); }
        @Override public CompletionStage<Boolean> markOutcomeUnknown(String id, String owner, long fence, String reason, Duration ttl) { throw new UnsupportedOperationException(); }
        @Override public CompletionStage<Optional<IdempotencyRecord>> get(String id) { throw new UnsupportedOperationException(); }
        @Override public CompletionStage<Boolean> delete(String id) { throw new UnsupportedOperationException(); }
        @Override public CompletableFuture<Void> awaitChange(String id) { throw new UnsupportedOperationException(); }
        @Override public CompletionStage<Boolean> ping() { throw new UnsupportedOperationException(); }
        @Override public void close() { }
    }

    @Test
    void overlappingClaimsOfOneKeyShareOneStoreCallWhenTheAnswerIsSomeonesRecord() {
        HeldClaims held = new HeldClaims();
        ClaimCoalescingStore store = new ClaimCoalescingStore(held);
        List<CompletableFuture<ClaimResult>> answers = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            answers.add(store.claim("k", "fp", "gw/" + i, LEASE, false, TTL).toCompletableFuture());
        }
        assertThat(held.claims).hasSize(1);

        Existing record = new Existing(new IdempotencyRecord.Completed("fp", 1,
                new StoredResponse(201, List.of(), new byte[] {1}, false), java.time.Instant.EPOCH, java.time.Instant.EPOCH,
                java.time.Instant.MAX));
        held.claims.get(0).complete(record);

        assertThat(answers).allSatisfy(a -> assertThat(a).isCompletedWithValue(record));
        assertThat(store.pendingClaims()).isZero();
    }

    @Test
    void whenTheFirstClaimantBecomesTheOwnerTheOthersClaimForThemselves() {
        HeldClaims held = new HeldClaims();
        ClaimCoalescingStore store = new ClaimCoalescingStore(held);
        CompletableFuture<ClaimResult> first = store.claim("k", "fp", "gw/1", LEASE, false, TTL).toCompletableFuture();
        CompletableFuture<ClaimResult> second = store.claim("k", "fp", "gw/2", LEASE, false, TTL).toCompletableFuture();
        CompletableFuture<ClaimResult> third = store.claim("k", "fp", "gw/3", LEASE, false, TTL).toCompletableFuture();

        held.claims.get(0).complete(new Claimed(1, false));

        assertThat(first).isCompletedWithValue(new Claimed(1, false));
        assertThat(second).isNotDone();
        // gw/2 and gw/3 claim again, and those two overlap, so one store call for both, as gw/2
        assertThat(held.claims).hasSize(2);
        assertThat(held.owners).containsExactly("gw/1", "gw/2");
    }

    @Test
    void claimsThatWouldActDifferentlyAreNotJoined() {
        HeldClaims held = new HeldClaims();
        ClaimCoalescingStore store = new ClaimCoalescingStore(held);
        store.claim("k", "fp", "gw/1", LEASE, false, TTL);
        store.claim("k", "other-fp", "gw/2", LEASE, false, TTL);
        store.claim("k", "fp", "gw/3", LEASE, true, TTL);
        store.claim("other-key", "fp", "gw/4", LEASE, false, TTL);
        assertThat(held.claims).hasSize(4);
    }

    @Test
    void aFailedClaimFailsEveryJoinedClaimAndIsForgotten() {
        HeldClaims held = new HeldClaims();
        ClaimCoalescingStore store = new ClaimCoalescingStore(held);
        CompletableFuture<ClaimResult> a = store.claim("k", "fp", "gw/1", LEASE, false, TTL).toCompletableFuture();
        CompletableFuture<ClaimResult> b = store.claim("k", "fp", "gw/2", LEASE, false, TTL).toCompletableFuture();
        held.claims.get(0).completeExceptionally(new StoreUnavailableException("down"));
        assertThat(a).isCompletedExceptionally();
        assertThat(b).isCompletedExceptionally();
        assertThat(store.pendingClaims()).isZero();
        store.claim("k", "fp", "gw/3", LEASE, false, TTL);
        assertThat(held.claims).hasSize(2);
    }

    @Test
    void underRealConcurrencyExactlyOneClaimOfAKeyOwnsIt() throws Exception {
        ClaimCoalescingStore store = new ClaimCoalescingStore(new MemoryIdempotencyStore(1_000));
        int threads = 8;
        int perThread = 500;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<List<ClaimResult>>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                results.add(pool.submit(() -> {
                    go.await();
                    List<CompletableFuture<ClaimResult>> mine = new ArrayList<>();
                    for (int i = 0; i < perThread; i++) {
                        mine.add(store.claim("hot", "fp", "gw/" + thread + "/" + i, LEASE, false, TTL).toCompletableFuture());
                    }
                    List<ClaimResult> out = new ArrayList<>();
                    for (CompletableFuture<ClaimResult> f : mine) {
                        out.add(f.get(10, TimeUnit.SECONDS));
                    }
                    return out;
                }));
            }
            go.countDown();
            long owners = 0;
            long existing = 0;
            for (Future<List<ClaimResult>> f : results) {
                for (ClaimResult r : f.get(30, TimeUnit.SECONDS)) {
                    owners += r instanceof Claimed ? 1 : 0;
                    existing += r instanceof Existing ? 1 : 0;
                }
            }
            assertThat(owners).isEqualTo(1);
            assertThat(existing).isEqualTo((long) threads * perThread - 1);
            assertThat(store.pendingClaims()).isZero();
        } finally {
            pool.shutdownNow();
        }
    }
}
