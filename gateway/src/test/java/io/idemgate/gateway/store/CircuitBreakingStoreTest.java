package io.idemgate.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.idemgate.gateway.idempotency.IdempotencyRecord;
import io.idemgate.gateway.idempotency.StoredResponse;
import io.idemgate.gateway.store.CircuitBreakingStore.Phase;
import io.idemgate.gateway.store.CircuitBreakingStore.Settings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CircuitBreakingStoreTest {

    private static final Duration LEASE = Duration.ofSeconds(30);
    private final FakeStore fake = new FakeStore();
    private final AtomicLong nanos = new AtomicLong(1_000);
    private final List<Phase> phases = new ArrayList<>();
    private final CircuitBreakingStore breaker = new CircuitBreakingStore(fake,
            new Settings(3, Duration.ofSeconds(1), Duration.ofSeconds(4)), nanos::get, phases::add);

    @Test
    void staysClosedWhileFailuresAreNotConsecutive() {
        fake.failing.set(true);
        claim();
        claim();
        fake.failing.set(false);
        claim();
        fake.failing.set(true);
        claim();
        claim();

        assertThat(breaker.phase()).isEqualTo(Phase.CLOSED);
        assertThat(fake.calls).hasValue(5);
    }

    @Test
    void opensAfterConsecutiveFailuresAndThenRefusesWithoutCallingTheStore() {
        fake.failing.set(true);
        for (int i = 0; i < 3; i++) {
            assertThat(failure(claim())).isNotInstanceOf(StoreUnavailableException.class);
        }

        assertThat(breaker.phase()).isEqualTo(Phase.OPEN);
        assertThat(failure(claim())).isInstanceOf(StoreUnavailableException.class);
        assertThat(failure(breaker.get("id"))).isInstanceOf(StoreUnavailableException.class);
        assertThat(fake.calls).hasValue(3);
        assertThat(phases).containsExactly(Phase.CLOSED, Phase.OPEN);
    }

    @Test
    void pingReportsNotReadyWhileOpenWithoutAskingTheStore() {
        open();
        int pings = fake.pings.get();

        assertThat(breaker.ping().toCompletableFuture().join()).isFalse();
        assertThat(fake.pings).hasValue(pings);
    }

    @Test
    void afterTheCoolDownOneProbeClosesTheCircuitAndRunsItsCall() {
        open();
        fake.failing.set(false);
        nanos.addAndGet(Duration.ofSeconds(1).toNanos());

        assertThat(claim().toCompletableFuture().join()).isInstanceOf(ClaimResult.Claimed.class);
        assertThat(breaker.phase()).isEqualTo(Phase.CLOSED);
        assertThat(fake.pings).hasValue(1);
        assertThat(phases).containsExactly(Phase.CLOSED, Phase.OPEN, Phase.HALF_OPEN, Phase.CLOSED);
    }

    @Test
    void readinessPingAfterTheCoolDownIsTheProbe() {
        open();
        fake.failing.set(false);
        nanos.addAndGet(Duration.ofSeconds(1).toNanos());

        assertThat(breaker.ping().toCompletableFuture().join()).isTrue();
        assertThat(breaker.phase()).isEqualTo(Phase.CLOSED);
    }

    @Test
    void aFailedProbeReopensWithADoublingCoolDownUpToTheMaximum() {
        open();
        // cool-downs: 1 s, then 2 s, 4 s, 4 s (max)
        for (long seconds : new long[] {1, 2, 4, 4}) {
            nanos.addAndGet(Duration.ofSeconds(seconds).toNanos() - 1);
            assertThat(failure(claim())).isInstanceOf(StoreUnavailableException.class);
            int pings = fake.pings.get();
            nanos.addAndGet(1);
            assertThat(failure(claim())).isInstanceOf(StoreUnavailableException.class);
            assertThat(fake.pings).hasValue(pings + 1);
            assertThat(breaker.phase()).isEqualTo(Phase.OPEN);
        }
    }

    @Test
    void whileTheProbeIsOutOtherCallsFailFast() {
        open();
        fake.failing.set(false);
        CompletableFuture<Boolean> pong = new CompletableFuture<>();
        fake.nextPing = pong;
        nanos.addAndGet(Duration.ofSeconds(1).toNanos());

        CompletionStage<ClaimResult> probe = claim();
        assertThat(breaker.phase()).isEqualTo(Phase.HALF_OPEN);
        assertThat(failure(claim())).isInstanceOf(StoreUnavailableException.class);

        pong.complete(true);
        assertThat(probe.toCompletableFuture().join()).isInstanceOf(ClaimResult.Claimed.class);
        assertThat(breaker.phase()).isEqualTo(Phase.CLOSED);
    }

    @Test
    void lateFailuresOfCallsStartedBeforeTheCircuitClosedAreIgnored() {
        CompletableFuture<ClaimResult> slow = new CompletableFuture<>();
        fake.nextClaim = slow;
        CompletionStage<ClaimResult> started = claim();
        open();
        fake.failing.set(false);
        nanos.addAndGet(Duration.ofSeconds(1).toNanos());
        claim().toCompletableFuture().join();
        assertThat(breaker.phase()).isEqualTo(Phase.CLOSED);

        slow.completeExceptionally(new RuntimeException("timed out long ago"));
        assertThat(failure(started)).hasMessage("timed out long ago");
        assertThat(breaker.phase()).isEqualTo(Phase.CLOSED);
    }

    @Test
    void aDelegateThatThrowsCountsAsAFailure() {
        fake.throwing.set(true);
        for (int i = 0; i < 3; i++) {
            assertThat(failure(claim())).hasMessage("thrown");
        }
        assertThat(breaker.phase()).isEqualTo(Phase.OPEN);
    }

    @Test
    void concurrentFailuresOpenTheCircuitOnceAndOnlyOneCallerProbes() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            fake.failing.set(true);
            runConcurrently(pool, 200);
            assertThat(breaker.phase()).isEqualTo(Phase.OPEN);
            assertThat(phases).containsExactly(Phase.CLOSED, Phase.OPEN);

            fake.failing.set(false);
            nanos.addAndGet(Duration.ofSeconds(1).toNanos());
            runConcurrently(pool, 200);
            assertThat(fake.pings).hasValue(1);
            assertThat(breaker.phase()).isEqualTo(Phase.CLOSED);
        } finally {
            pool.shutdownNow();
        }
    }

    private void runConcurrently(ExecutorService pool, int calls) throws InterruptedException {
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(calls);
        for (int i = 0; i < calls; i++) {
            pool.execute(() -> {
                try {
                    go.await();
                    claim().toCompletableFuture().handle((r, e) -> null).join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    done.countDown();
                }
            });
        }
        go.countDown();
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void probeNowClosesAnOpenCircuitBeforeTheCoolDownEnds() {
        open();
        fake.failing.set(false);

        breaker.probeNow();

        assertThat(breaker.phase()).isEqualTo(Phase.CLOSED);
        assertThat(fake.pings).hasValue(1);
        assertThat(claim().toCompletableFuture().join()).isInstanceOf(ClaimResult.Claimed.class);
    }

    @Test
    void probeNowThatFailsReopensAndIsANoOpWhileClosed() {
        breaker.probeNow();
        assertThat(fake.pings).hasValue(0);

        open();
        breaker.probeNow();

        assertThat(breaker.phase()).isEqualTo(Phase.OPEN);
        assertThat(fake.pings).hasValue(1);
        assertThat(failure(claim())).isInstanceOf(StoreUnavailableException.class);
    }

    @Test
    void readyIsFalseWhileOpenAndAsksTheStoreOnceClosed() {
        assertThat(breaker.ready().toCompletableFuture().join()).isTrue();
        open();
        assertThat(breaker.ready().toCompletableFuture().join()).isFalse();
    }

    private void open() {
        fake.failing.set(true);
        for (int i = 0; i < 3; i++) {
            claim();
        }
        assertThat(breaker.phase()).isEqualTo(Phase.OPEN);
    }

    private CompletionStage<ClaimResult> claim() {
        return breaker.claim("id", "fp", "owner", LEASE, false, LEASE);
    }

    private static Throwable failure(CompletionStage<?> stage) {
        Throwable e = stage.toCompletableFuture().handle((v, err) -> err).join();
        return e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
    }

    /** Answers at once, or fails, or throws, as the test says; counts what reached it. */
    private static final class FakeStore implements IdempotencyStore {
        final AtomicBoolean failing = new AtomicBoolean();
        final AtomicBoolean throwing = new AtomicBoolean();
        final AtomicInteger calls = new AtomicInteger();
        final AtomicInteger pings = new AtomicInteger();
        volatile CompletableFuture<ClaimResult> nextClaim;
        volatile CompletableFuture<Boolean> nextPing;

        private <T> CompletionStage<T> answer(T value) {
            calls.incrementAndGet();
            if (throwing.get()) {
                throw new IllegalStateException("thrown");
            }
            return failing.get() ? CompletableFuture.failedFuture(new RuntimeException("command timed out"))
                    : CompletableFuture.completedFuture(value);
        }

        @Override
        public CompletionStage<ClaimResult> claim(String id, String fingerprint, String owner, Duration lease,
                                                  boolean takeOverUnknown, Duration unknownTtl) {
            CompletableFuture<ClaimResult> next = nextClaim;
            if (next != null) {
                nextClaim = null;
                calls.incrementAndGet();
                return next;
            }
            return answer(new ClaimResult.Claimed(1, false));
        }

        @Override
        public CompletionStage<Boolean> renew(String id, String owner, long fence, Duration lease) {
            return answer(true);
        }

        @Override
        public CompletionStage<Boolean> complete(String id, String owner, long fence, StoredResponse response,
                                                 Duration ttl) {
            return answer(true);
        }

        @Override
        public CompletionStage<Boolean> release(String id, String owner, long fence) {
            return answer(true);
        }

        @Override
        public CompletionStage<Boolean> markOutcomeUnknown(String id, String owner, long fence, String reason,
                                                           Duration ttl) {
            return answer(true);
        }

        @Override
        public CompletionStage<Optional<IdempotencyRecord>> get(String id) {
            return answer(Optional.empty());
        }

        @Override
        public CompletionStage<Boolean> delete(String id) {
            return answer(true);
        }

        @Override
        public CompletableFuture<Void> awaitChange(String id) {
            return new CompletableFuture<>();
        }

        @Override
        public CompletionStage<Boolean> ping() {
            pings.incrementAndGet();
            CompletableFuture<Boolean> next = nextPing;
            if (next != null) {
                nextPing = null;
                return next;
            }
            // A store that cannot answer says false, as the Redis store does.
            return CompletableFuture.completedFuture(!failing.get());
        }

        @Override
        public void close() {
        }
    }
}
