package io.idemgate.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.idemgate.gateway.idempotency.BodyChunks;
import io.idemgate.gateway.idempotency.IdempotencyRecord;
import io.idemgate.gateway.idempotency.IdempotencyRecord.Completed;
import io.idemgate.gateway.idempotency.IdempotencyRecord.InFlight;
import io.idemgate.gateway.idempotency.IdempotencyRecord.OutcomeUnknown;
import io.idemgate.gateway.idempotency.StoredResponse;
import io.idemgate.gateway.store.ClaimResult.Claimed;
import io.idemgate.gateway.store.ClaimResult.Existing;
import io.idemgate.gateway.testsupport.DeterministicBytes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link IdempotencyStore} must do, whatever it stores into. A subclass supplies the store and
 * a way to let store time pass: a test clock it advances, or a real wait (then it should also shorten
 * {@link #lease()} and {@link #ttl()}).
 */
public abstract class IdempotencyStoreContract {

    protected static final String FINGERPRINT = "fp-a";
    protected static final String OTHER_FINGERPRINT = "fp-b";
    protected static final String OWNER = "gw1/exchange-1";
    protected static final String OTHER_OWNER = "gw2/exchange-7";

    protected IdempotencyStore store;
    protected String id;
    /** The fence of the last claim that owned {@link #id}, 0 before any. */
    protected long fence;

    protected abstract IdempotencyStore createStore();

    /** Lets at least {@code duration} pass as the store sees time. */
    protected abstract void letTimePass(Duration duration);

    protected Duration lease() {
        return Duration.ofSeconds(30);
    }

    protected Duration ttl() {
        return Duration.ofHours(24);
    }

    /** How long a waiter may take to be woken (a remote store notifies asynchronously). */
    protected Duration wakeWithin() {
        return Duration.ofSeconds(5);
    }

    @BeforeEach
    void openStore() {
        store = createStore();
        id = "test-" + UUID.randomUUID();
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    @Test
    void theFirstClaimOfAKeyOwnsItWithAFenceFromTheClock() {
        long before = micros();
        assertClaimedAbove(claim(FINGERPRINT, OWNER, false), before - 1, false);

        InFlight record = (InFlight) record();
        assertThat(record.fingerprint()).isEqualTo(FINGERPRINT);
        assertThat(record.owner()).isEqualTo(OWNER);
        assertThat(record.fence()).isEqualTo(fence);
        assertThat(record.leaseUntil()).isAfter(record.createdAt());
    }

    @Test
    void aSecondClaimWhileInFlightGetsTheFirstAttemptsRecord() {
        claim(FINGERPRINT, OWNER, false);

        ClaimResult second = claim(FINGERPRINT, OTHER_OWNER, true);

        assertThat(second).isInstanceOf(Existing.class);
        assertThat(((Existing) second).record()).isInstanceOfSatisfying(InFlight.class,
                inFlight -> assertThat(inFlight.owner()).isEqualTo(OWNER));
    }

    @Test
    void aClaimAfterCompletionGetsTheStoredAnswer() {
        claim(FINGERPRINT, OWNER, false);
        assertThat(await(store.complete(id, OWNER, fence, response("paid"), ttl()))).isTrue();

        ClaimResult retry = claim(FINGERPRINT, OTHER_OWNER, true);

        Completed completed = (Completed) ((Existing) retry).record();
        assertThat(completed.response().status()).isEqualTo(201);
        assertThat(completed.response().headers()).containsExactly(Map.entry("Content-Type", "text/plain"));
        assertThat(new String(bodyOf(completed.response()), StandardCharsets.UTF_8)).isEqualTo("paid");
        assertThat(completed.fence()).isEqualTo(fence);
        assertThat(completed.expiresAt()).isAfter(completed.completedAt());
    }

    @Test
    void aClaimWithAnotherPayloadGetsTheRecordToCompareAgainst() {
        claim(FINGERPRINT, OWNER, false);
        await(store.complete(id, OWNER, fence, response("paid"), ttl()));

        ClaimResult other = claim(OTHER_FINGERPRINT, OTHER_OWNER, true);

        assertThat(((Existing) other).record().fingerprint()).isEqualTo(FINGERPRINT);
    }

    @Test
    void writesByAnotherOwnerOrAnotherFenceAreRefusedAndChangeNothing() {
        claim(FINGERPRINT, OWNER, false);
        IdempotencyRecord before = record();

        for (String owner : List.of(OTHER_OWNER, OWNER)) {
            long wrong = owner.equals(OWNER) ? fence + 1 : fence;
            assertThat(await(store.renew(id, owner, wrong, lease().multipliedBy(2)))).isFalse();
            assertThat(await(store.complete(id, owner, wrong, response("x"), ttl()))).isFalse();
            assertThat(await(store.markOutcomeUnknown(id, owner, wrong, "timeout", ttl()))).isFalse();
            assertThat(await(store.release(id, owner, wrong))).isFalse();
        }

        assertThat(record()).isEqualTo(before);
    }

    @Test
    void ownerWritesToAMissingRecordAreRefused() {
        assertThat(await(store.renew(id, OWNER, fence, lease()))).isFalse();
        assertThat(await(store.complete(id, OWNER, fence, response("x"), ttl()))).isFalse();
        assertThat(await(store.release(id, OWNER, fence))).isFalse();
        assertThat(await(store.get(id))).isEmpty();
    }

    @Test
    void aRenewedLeaseOutlivesTheFirstOne() {
        claim(FINGERPRINT, OWNER, false);
        Duration half = lease().dividedBy(2);
        letTimePass(half);

        assertThat(await(store.renew(id, OWNER, fence, lease()))).isTrue();
        letTimePass(half.plus(half.dividedBy(2)));

        assertThat(((Existing) claim(FINGERPRINT, OTHER_OWNER, true)).record()).isInstanceOf(InFlight.class);
    }

    @Test
    void aLapsedLeaseBecomesOutcomeUnknownWhenTheClaimDoesNotTakeOver() {
        claim(FINGERPRINT, OWNER, false);
        letTimePass(lease());

        ClaimResult retry = claim(FINGERPRINT, OTHER_OWNER, false);

        OutcomeUnknown unknown = (OutcomeUnknown) ((Existing) retry).record();
        assertThat(unknown.fence()).isEqualTo(fence);
        assertThat(unknown.fingerprint()).isEqualTo(FINGERPRINT);
        assertThat(record()).isInstanceOf(OutcomeUnknown.class);
        assertThat(await(store.complete(id, OWNER, fence, response("late"), ttl()))).isFalse();
    }

    @Test
    void aLapsedLeaseIsTakenOverWithTheNextFence() {
        claim(FINGERPRINT, OWNER, false);
        long first = fence;
        letTimePass(lease());

        assertClaimedAbove(claim(FINGERPRINT, OTHER_OWNER, true), first, true);

        InFlight record = (InFlight) record();
        assertThat(record.owner()).isEqualTo(OTHER_OWNER);
        assertThat(record.fence()).isEqualTo(fence);
        assertThat(await(store.complete(id, OWNER, first, response("stale"), ttl()))).isFalse();
        assertThat(await(store.complete(id, OTHER_OWNER, fence, response("fresh"), ttl()))).isTrue();
        assertThat(record().fence()).isEqualTo(fence);
    }

    @Test
    void aLapsedLeaseIsNotTakenOverByAnotherPayload() {
        claim(FINGERPRINT, OWNER, false);
        letTimePass(lease());

        ClaimResult other = claim(OTHER_FINGERPRINT, OTHER_OWNER, true);

        assertThat(((Existing) other).record()).isInstanceOf(OutcomeUnknown.class);
        assertThat(record().fingerprint()).isEqualTo(FINGERPRINT);
    }

    @Test
    void anOutcomeUnknownRecordIsTakenOverOnlyWhenAllowed() {
        claim(FINGERPRINT, OWNER, false);
        assertThat(await(store.markOutcomeUnknown(id, OWNER, fence, "upstream timed out", ttl()))).isTrue();

        OutcomeUnknown unknown = (OutcomeUnknown) ((Existing) claim(FINGERPRINT, OTHER_OWNER, false)).record();
        assertThat(unknown.reason()).isEqualTo("upstream timed out");
        assertThat(((Existing) claim(OTHER_FINGERPRINT, OTHER_OWNER, true)).record()).isEqualTo(unknown);

        long first = fence;
        assertClaimedAbove(claim(FINGERPRINT, OTHER_OWNER, true), first, true);
    }

    @Test
    void completionWakesEveryWaiter() {
        claim(FINGERPRINT, OWNER, false);
        CompletableFuture<Void> first = store.awaitChange(id);
        CompletableFuture<Void> second = store.awaitChange(id);
        assertThat(first).isNotDone();

        await(store.complete(id, OWNER, fence, response("paid"), ttl()));

        assertThat(first).succeedsWithin(wakeWithin());
        assertThat(second).succeedsWithin(wakeWithin());
    }

    @Test
    void releaseWakesWaitersAndTheNextClaimExecutes() {
        claim(FINGERPRINT, OWNER, false);
        CompletableFuture<Void> waiter = store.awaitChange(id);

        long first = fence;
        assertThat(await(store.release(id, OWNER, first))).isTrue();

        assertThat(waiter).succeedsWithin(wakeWithin());
        assertThat(await(store.get(id))).isEmpty();
        assertClaimedAbove(claim(FINGERPRINT, OTHER_OWNER, false), first, false);
    }

    @Test
    void fencesGrowStrictlyAcrossTakeoversReleasesAndPurges() {
        // A (first fence) pauses past its lease; B takes over and releases (5xx); C claims: C's fence must
        // be above both, or an upstream that rejects stale fences rejects C, or accepts A's late write.
        claim(FINGERPRINT, OWNER, false);
        long a = fence;
        letTimePass(lease());
        assertClaimedAbove(claim(FINGERPRINT, OTHER_OWNER, true), a, true);
        long b = fence;
        assertThat(await(store.release(id, OTHER_OWNER, b))).isTrue();

        assertClaimedAbove(claim(FINGERPRINT, "gw3/exchange-1", false), b, false);
        long c = fence;
        assertThat(await(store.delete(id))).isTrue();
        assertClaimedAbove(claim(FINGERPRINT, "gw4/exchange-1", false), c, false);
        assertThat(await(store.complete(id, OWNER, a, response("late"), ttl()))).isFalse();
    }

    @Test
    void markingTheOutcomeUnknownWakesWaiters() {
        claim(FINGERPRINT, OWNER, false);
        CompletableFuture<Void> waiter = store.awaitChange(id);

        await(store.markOutcomeUnknown(id, OWNER, fence, "connection reset", ttl()));

        assertThat(waiter).succeedsWithin(wakeWithin());
    }

    @Test
    void aRenewDoesNotWakeWaiters() {
        claim(FINGERPRINT, OWNER, false);
        CompletableFuture<Void> waiter = store.awaitChange(id);

        await(store.renew(id, OWNER, fence, lease()));

        assertThat(waiter).isNotDone();
        waiter.cancel(false);
    }

    @Test
    void waitingOnARecordThatIsNoLongerInFlightEndsPromptly() {
        // The change may land between the waiter's claim and its awaitChange; it must not wait for nothing.
        claim(FINGERPRINT, OWNER, false);
        await(store.complete(id, OWNER, fence, response("paid"), ttl()));

        assertThat(store.awaitChange(id)).succeedsWithin(wakeWithin());
    }

    @Test
    void deletePurgesAnyRecordAndWakesWaiters() {
        claim(FINGERPRINT, OWNER, false);
        CompletableFuture<Void> waiter = store.awaitChange(id);

        assertThat(await(store.delete(id))).isTrue();

        assertThat(waiter).succeedsWithin(wakeWithin());
        assertThat(await(store.get(id))).isEmpty();
        assertThat(await(store.delete(id))).isFalse();
        assertThat(await(store.complete(id, OWNER, fence, response("late"), ttl()))).isFalse();
    }

    @Test
    void aCompletedRecordExpiresAfterItsTtl() {
        claim(FINGERPRINT, OWNER, false);
        await(store.complete(id, OWNER, fence, response("paid"), ttl()));

        letTimePass(ttl());

        assertThat(await(store.get(id))).isEmpty();
        assertClaimedAbove(claim(FINGERPRINT, OTHER_OWNER, false), 0, false);
    }

    @Test
    void anOutcomeUnknownRecordExpiresAfterItsTtl() {
        claim(FINGERPRINT, OWNER, false);
        await(store.markOutcomeUnknown(id, OWNER, fence, "upstream timed out", ttl()));

        long first = fence;
        letTimePass(ttl());

        assertClaimedAbove(claim(FINGERPRINT, OTHER_OWNER, false), first, false);
    }

    @Test
    void ofManySimultaneousClaimsExactlyOneOwnsTheKey() throws Exception {
        int claimants = 200;
        ExecutorService pool = Executors.newFixedThreadPool(claimants);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<ClaimResult>> results = new ArrayList<>();
            for (int i = 0; i < claimants; i++) {
                String owner = "gw/exchange-" + i;
                results.add(pool.submit(() -> {
                    start.await();
                    return claim(FINGERPRINT, owner, true);
                }));
            }
            start.countDown();

            List<ClaimResult> answers = new ArrayList<>();
            for (Future<ClaimResult> result : results) {
                answers.add(result.get(30, TimeUnit.SECONDS));
            }
            assertThat(answers).filteredOn(Claimed.class::isInstance).hasSize(1)
                    .allSatisfy(answer -> assertThat(((Claimed) answer).tookOver()).isFalse());
            String winner = ((InFlight) record()).owner();
            assertThat(answers).filteredOn(Existing.class::isInstance).hasSize(claimants - 1)
                    .allSatisfy(answer -> assertThat(((InFlight) ((Existing) answer).record()).owner())
                            .isEqualTo(winner));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void pingAnswersTrueWhileOpen() {
        assertThat(await(store.ping())).isTrue();
    }

    protected ClaimResult claim(String fingerprint, String owner, boolean takeOverUnknown) {
        ClaimResult result = await(store.claim(id, fingerprint, owner, lease(), takeOverUnknown, ttl()));
        if (result instanceof Claimed claimed) {
            fence = claimed.fence();
        }
        return result;
    }

    /** Owns the key with a fence strictly above every earlier one, taken over or not as said. */
    protected void assertClaimedAbove(ClaimResult result, long earlier, boolean tookOver) {
        assertThat(result).isInstanceOfSatisfying(Claimed.class, claimed -> {
            assertThat(claimed.fence()).isGreaterThan(earlier);
            assertThat(claimed.tookOver()).isEqualTo(tookOver);
        });
    }

    /** The fence of a claim that owned its key (and whether it took over), failing on any other answer. */
    protected static long fenceOf(ClaimResult result, boolean tookOver) {
        assertThat(result).isInstanceOf(Claimed.class);
        assertThat(((Claimed) result).tookOver()).isEqualTo(tookOver);
        return ((Claimed) result).fence();
    }

    /** Now in microseconds since the epoch by the store's clock: the floor of every new fence. */
    protected long micros() {
        return 0;
    }

    protected IdempotencyRecord record() {
        Optional<IdempotencyRecord> record = await(store.get(id));
        assertThat(record).as("record %s", id).isPresent();
        return record.get();
    }

    @Test
    void aBodyOfManyChunksIsStoredAndReadBackChunkByChunk() {
        claim(FINGERPRINT, OWNER, false);
        byte[] body = DeterministicBytes.bytes(3 * BodyChunks.CHUNK_SIZE + 123);
        StoredResponse response = new StoredResponse(200, List.of(Map.entry("Content-Type", "application/octet-stream")),
                body, false);

        assertThat(await(store.complete(id, OWNER, fence, response, ttl()))).isTrue();

        StoredResponse stored = ((Completed) record()).response();
        assertThat(stored.body().chunkCount()).isEqualTo(4);
        assertThat(stored.body().length()).isEqualTo(body.length);
        assertThat(bodyOf(stored)).isEqualTo(body);
        ClaimResult retry = claim(FINGERPRINT, OTHER_OWNER, false);
        assertThat(bodyOf(((Completed) ((Existing) retry).record()).response())).isEqualTo(body);
    }

    @Test
    void aBodyOfOneChunkStaysOneChunk() {
        claim(FINGERPRINT, OWNER, false);
        byte[] body = DeterministicBytes.bytes(BodyChunks.CHUNK_SIZE);

        await(store.complete(id, OWNER, fence, new StoredResponse(200, List.of(), body, false), ttl()));

        StoredResponse stored = ((Completed) record()).response();
        assertThat(stored.body().chunkCount()).isEqualTo(1);
        assertThat(stored.body().resident()).as("one chunk comes with the record").isTrue();
        assertThat(bodyOf(stored)).isEqualTo(body);
    }

    /** The whole stored body, fetched chunk by chunk if the store keeps it that way. */
    protected static byte[] bodyOf(StoredResponse response) {
        return response.body().loadAll().toCompletableFuture().join().toByteArray();
    }

    protected static StoredResponse response(String body) {
        return new StoredResponse(201, List.of(Map.entry("Content-Type", "text/plain")),
                body.getBytes(StandardCharsets.UTF_8), false);
    }

    protected static <T> T await(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("store operation failed or hung", e);
        }
    }
}
