package io.idemgate.gateway.store.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.idemgate.gateway.idempotency.IdempotencyRecord.Completed;
import io.idemgate.gateway.idempotency.IdempotencyRecord.InFlight;
import io.idemgate.gateway.idempotency.StoredResponse;
import io.idemgate.gateway.store.ClaimResult;
import io.idemgate.gateway.store.ClaimResult.Claimed;
import io.idemgate.gateway.store.IdempotencyStore;
import io.idemgate.gateway.store.IdempotencyStoreContract;
import io.idemgate.gateway.store.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

class MemoryIdempotencyStoreTest extends IdempotencyStoreContract {

    private final MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));

    @Override
    protected IdempotencyStore createStore() {
        return new MemoryIdempotencyStore(10_000, clock);
    }

    @Override
    protected void letTimePass(Duration duration) {
        clock.advance(duration);
    }

    @Override
    protected long micros() {
        return clock.instant().getEpochSecond() * 1_000_000L + clock.instant().getNano() / 1_000;
    }

    @Test
    void fencesStayAboveTheClockInMicrosecondsAndAboveEachOther() {
        long floor = micros();
        claim(FINGERPRINT, OWNER, false);
        assertThat(fence).isGreaterThanOrEqualTo(floor);
        long first = fence;
        await(store.release(id, OWNER, first));
        // Same clock reading: the sequence, not the clock, keeps the next fence higher.
        claim(FINGERPRINT, OTHER_OWNER, false);
        assertThat(fence).isGreaterThan(first);
    }

    private MemoryIdempotencyStore memory() {
        return (MemoryIdempotencyStore) store;
    }

    @Test
    void aCompletedRecordIsNeverEvictedToMakeRoomAndNewKeysAreRefusedInstead() {
        // Issue #10, item 5: a victim's completed payment must replay however many records another client makes.
        try (MemoryIdempotencyStore small = new MemoryIdempotencyStore(3, clock)) {
            claimAndComplete(small, "victim");
            claimAndComplete(small, "b");
            assertThat(claimIn(small, "c")).isInstanceOf(Claimed.class);

            for (String other : List.of("d", "e", "f")) {
                CompletionStage<ClaimResult> refused = small.claim(other, FINGERPRINT, OWNER, lease(), true, ttl());
                assertThatThrownBy(() -> refused.toCompletableFuture().get())
                        .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(StoreFullException.class);
            }

            assertThat(claimIn(small, "victim")).isInstanceOfSatisfying(ClaimResult.Existing.class,
                    existing -> assertThat(existing.record()).isInstanceOf(Completed.class));
            assertThat(await(small.get("b"))).get().isInstanceOf(Completed.class);
            assertThat(small.size()).isEqualTo(3);
            assertThat(small.fill()).isEqualTo(1.0);
        }
    }

    @Test
    void theByteBudgetRefusesNewKeysButNeverAnOwnersCompletion() {
        try (MemoryIdempotencyStore small = new MemoryIdempotencyStore(1_000, 10_000, clock)) {
            claimIn(small, "big");
            StoredResponse big = new StoredResponse(200, List.of(), new byte[20_000], false);
            assertThat(await(small.complete("big", OWNER, fence, big, ttl()))).as("a completion is never refused").isTrue();
            assertThat(small.fill()).isGreaterThan(1.0);

            CompletionStage<ClaimResult> refused = small.claim("next", FINGERPRINT, OWNER, lease(), true, ttl());
            assertThatThrownBy(() -> refused.toCompletableFuture().get()).hasCauseInstanceOf(StoreFullException.class);

            clock.advance(ttl());
            assertThat(claimIn(small, "next")).as("expired records make room").isInstanceOf(Claimed.class);
        }
    }

    @Test
    void expiredRecordsAreReclaimedToMakeRoomAndLiveOnesKept() {
        try (MemoryIdempotencyStore small = new MemoryIdempotencyStore(2, clock)) {
            claimIn(small, "old");
            await(small.complete("old", OWNER, fence, response("kept"), Duration.ofHours(1)));
            claimIn(small, "short");
            await(small.complete("short", OWNER, fence, response("gone"), Duration.ofSeconds(1)));
            clock.advance(Duration.ofSeconds(2));

            claimIn(small, "new");

            assertThat(await(small.get("old"))).get().isInstanceOf(Completed.class);
            assertThat(small.size()).isEqualTo(2);
        }
    }

    @Test
    void aNewKeyIsRefusedWhenEveryRecordIsInFlight() {
        try (MemoryIdempotencyStore small = new MemoryIdempotencyStore(2, clock)) {
            claimIn(small, "a");
            long a = fence;
            claimIn(small, "b");

            CompletionStage<ClaimResult> refused = small.claim("c", FINGERPRINT, OWNER, lease(), true, ttl());

            assertThatThrownBy(() -> refused.toCompletableFuture().get())
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(StoreFullException.class);
            assertThat(claimIn(small, "a")).isInstanceOf(ClaimResult.Existing.class);
            await(small.release("a", OWNER, a));
            assertClaimedAbove(claimIn(small, "c"), a, false);
        }
    }

    @Test
    void theSweeperWakesWaitersWhenALeaseLapses() {
        claim(FINGERPRINT, OWNER, false);
        CompletableFuture<Void> waiter = store.awaitChange(id);

        clock.advance(lease());

        assertThat(waiter).succeedsWithin(Duration.ofSeconds(5));
        assertThat(record()).isInstanceOf(InFlight.class); // stays until a claim converts it
    }

    @Test
    void theSweeperDropsExpiredRecordsNobodyTouches() {
        claim(FINGERPRINT, OWNER, false);
        await(store.complete(id, OWNER, fence, response("paid"), ttl()));
        clock.advance(ttl());

        memory().sweep();

        assertThat(memory().size()).isZero();
        assertThat(memory().retainedBytes()).isZero();
    }

    @Test
    void theSweeperExpiresMoreThanOnePassHoldsInBoundedSlices() {
        int records = MemoryIdempotencyStore.MAX_EXPIRIES_PER_SWEEP * 2 + 10;
        for (int i = 0; i < records; i++) {
            claimAndComplete(memory(), String.format("%064x", i));
        }
        clock.advance(ttl().plusSeconds(1)); // their expiry second wholly past

        // Nobody touches them: only the sweeper's passes, a bounded slice each, can drop them all.
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> memory().size() == 0);
        assertThat(memory().retainedBytes()).isZero();
    }

    @Test
    void anOwnerWhoseLeaseLapsedMayStillFinishUntilSomeoneClaims() {
        claim(FINGERPRINT, OWNER, false);
        clock.advance(lease());

        assertThat(await(store.complete(id, OWNER, fence, response("late but known"), ttl()))).isTrue();
        assertThat(((ClaimResult.Existing) claim(FINGERPRINT, OTHER_OWNER, true)).record())
                .isInstanceOf(Completed.class);
    }

    @Test
    void waitersThatGiveUpLeaveNothingBehind() {
        claim(FINGERPRINT, OWNER, false);
        List<CompletableFuture<Void>> waiting = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            waiting.add(store.awaitChange(i % 2 == 0 ? id : id + "-other-" + i));
        }
        assertThat(memory().waiterCount()).isEqualTo(5_000); // the others wait on no record and end at once

        waiting.forEach(waiter -> waiter.cancel(false));

        assertThat(memory().waiterCount()).isZero();
        assertThat(memory().waitedIds()).isZero();
    }

    @Test
    void aWakenedWaiterMayCallTheStoreFromItsCallback() {
        // Waiters are completed outside the map's locks; a callback re-entering compute would otherwise fail.
        claim(FINGERPRINT, OWNER, false);
        long first = fence;
        AtomicReference<ClaimResult> reclaimed = new AtomicReference<>();
        store.awaitChange(id).thenRun(() -> reclaimed.set(claim(FINGERPRINT, OTHER_OWNER, false)));

        await(store.release(id, OWNER, first));

        assertClaimedAbove(reclaimed.get(), first, false);
    }

    @Test
    void retainedBytesFollowTheStoredBodies() {
        claim(FINGERPRINT, OWNER, false);
        long inFlight = memory().retainedBytes();
        StoredResponse big = new StoredResponse(200, List.of(), new byte[100_000], false);

        await(store.complete(id, OWNER, fence, big, ttl()));
        assertThat(memory().retainedBytes()).isGreaterThanOrEqualTo(100_000).isGreaterThan(inFlight);

        await(store.delete(id));
        assertThat(memory().retainedBytes()).isZero();
    }

    @Test
    void closeFailsWaitersAndLaterCallsAndStopsTheSweeper() {
        claim(FINGERPRINT, OWNER, false);
        CompletableFuture<Void> waiter = store.awaitChange(id);

        store.close();

        assertThat(waiter).isCompletedExceptionally();
        assertThat(memory().waiterCount()).isZero();
        assertThat(await(store.ping())).isFalse();
        assertThat(store.claim(id, FINGERPRINT, OWNER, lease(), true, ttl()).toCompletableFuture())
                .isCompletedExceptionally();
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !memory().sweeperRunning());
    }

    @Test
    void theSweeperIsOneDaemonThread() {
        assertThat(Thread.getAllStackTraces().keySet()).filteredOn(
                        thread -> thread.getName().equals(MemoryIdempotencyStore.SWEEPER_THREAD))
                .isNotEmpty().allSatisfy(thread -> assertThat(thread.isDaemon()).isTrue());
    }

    private ClaimResult claimIn(MemoryIdempotencyStore target, String key) {
        ClaimResult result = await(target.claim(key, FINGERPRINT, OWNER, lease(), true, ttl()));
        if (result instanceof Claimed claimed) {
            fence = claimed.fence();
        }
        return result;
    }

    private void claimAndComplete(MemoryIdempotencyStore target, String key) {
        claimIn(target, key);
        assertThat(await(target.complete(key, OWNER, fence, response(key), ttl()))).isTrue();
    }
}
