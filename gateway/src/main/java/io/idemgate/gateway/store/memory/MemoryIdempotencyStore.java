package io.idemgate.gateway.store.memory;

import io.idemgate.gateway.idempotency.IdempotencyRecord;
import io.idemgate.gateway.idempotency.StoredResponse;
import io.idemgate.gateway.store.ClaimResult;
import io.idemgate.gateway.store.IdempotencyStore;
import io.idemgate.gateway.store.Waiters;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded store for a single gateway instance: records in a {@link ConcurrentHashMap}, every state
 * change of one id inside one {@code compute}, every answer an already completed future.
 *
 * <p><b>Bounds.</b> At most {@code maxEntries} records and about {@code maxBytes} of them
 * ({@link #retainedBytes()}, an estimate of each record's objects from its layout, {@link Footprint}). A live record
 * is never dropped to make room (SPEC §2): evicting a completed record would let its retry execute again,
 * so one client could get another's operation run twice. To admit a new key when full, the store reclaims
 * an expired record; with none, the claim fails with {@link StoreFullException}, a store failure the route
 * handles by its {@code on-store-failure}. Owners' writes (complete, mark) are never refused for room: a
 * completion may take the store past {@code maxBytes}, and new keys wait until records expire.
 * {@link #fill()} is the fuller of the two ratios; the sweeper logs a warning when it reaches
 * {@value #WARN_FILL_PERCENT}%.
 *
 * <p><b>Expiry.</b> Completed and outcome-unknown records vanish at their {@code expiresAt}: lazily when
 * touched, and by the sweeper thread {@value #SWEEPER_THREAD} every {@value #SWEEP_INTERVAL_MILLIS} ms, at
 * most {@value #MAX_EXPIRIES_PER_SWEEP} per pass: small slices, so a pass never holds the CPU an event loop
 * on the same core needs for more than about a millisecond (10,000 expiries a second at most). An
 * in-flight record whose lease lapsed stays until a claim converts it, but the sweeper wakes its waiters
 * so they re-claim promptly.
 *
 * <p><b>Readings of the contract.</b>
 * <ul>
 *   <li>Fences grow strictly for the store's life, across takeovers, releases, purges and expiry: every
 *       claim takes the next value of one store-wide sequence that never falls below the clock in
 *       microseconds since the epoch (~1.7e15), so no tombstone is needed, and a restarted store (whose
 *       records, and attempts, are gone) still starts above the fences it gave out before.</li>
 *   <li>An owner whose lease lapsed still holds the key until another claim converts or takes over the
 *       record, so its late renew, complete, release or mark succeeds; afterwards they answer false.</li>
 *   <li>{@code get} answers an in-flight record with a lapsed lease as it is; only a claim converts it.</li>
 *   <li>A takeover's record is a new in-flight record: {@code createdAt} is the takeover time.</li>
 *   <li>{@code awaitChange} on a record that is not in flight with a running lease (none, completed,
 *       lapsed) completes at once, so a waiter never misses a change that raced its registration.</li>
 *   <li>After {@link #close()}, operations fail with {@link IllegalStateException}, waiters are failed
 *       with it, and {@link #ping()} answers false.</li>
 * </ul>
 *
 * <p>Threading: any thread. Waiter futures are completed after the map operation returns, never under
 * a map lock, so waiter callbacks cannot stall or re-enter the store's critical sections.
 */
public final class MemoryIdempotencyStore implements IdempotencyStore {

    public static final String SWEEPER_THREAD = "idemgate-memory-store-sweeper";
    static final int MAX_EXPIRIES_PER_SWEEP = 1_000;
    static final long SWEEP_INTERVAL_MILLIS = 100;
    private static final Logger log = LoggerFactory.getLogger(MemoryIdempotencyStore.class);

    static final int WARN_FILL_PERCENT = 80;

    private final int maxEntries;
    private final long maxBytes;
    private final Clock clock;
    private boolean warnedFull; // sweeper thread only
    /** Keyed by the packed id; each value one flat {@link Slot}, so a record costs the collector a few objects. */
    private final ConcurrentHashMap<PackedId, Slot> slots = new ConcurrentHashMap<>();
    /** Exactly the number of slots; a new id must reserve its place here first, so the bound is never overshot. */
    private final AtomicInteger size = new AtomicInteger();
    private final AtomicLong sequence = new AtomicLong();
    private final LongSupplier nextSeq = sequence::incrementAndGet;
    private final LongSupplier nextFence = this::nextFence;
    private final AtomicLong fences = new AtomicLong();
    private final AtomicLong retainedBytes = new AtomicLong();
    private final TerminalIndex terminal = new TerminalIndex();
    private final Waiters waiters = new Waiters();
    private final ScheduledExecutorService sweeper;
    private volatile boolean closed;

    public MemoryIdempotencyStore(int maxEntries) {
        this(maxEntries, Long.MAX_VALUE, Clock.systemUTC());
    }

    public MemoryIdempotencyStore(int maxEntries, Clock clock) {
        this(maxEntries, Long.MAX_VALUE, clock);
    }

    public MemoryIdempotencyStore(int maxEntries, long maxBytes) {
        this(maxEntries, maxBytes, Clock.systemUTC());
    }

    public MemoryIdempotencyStore(int maxEntries, long maxBytes, Clock clock) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be at least 1, was " + maxEntries);
        }
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be at least 1, was " + maxBytes);
        }
        this.maxEntries = maxEntries;
        this.maxBytes = maxBytes;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.sweeper = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, SWEEPER_THREAD);
            thread.setDaemon(true);
            return thread;
        });
        sweeper.scheduleWithFixedDelay(this::sweepQuietly, SWEEP_INTERVAL_MILLIS, SWEEP_INTERVAL_MILLIS,
                TimeUnit.MILLISECONDS);
    }

    @Override
    public CompletionStage<ClaimResult> claim(String id, String fingerprint, String owner, Duration lease,
                                              boolean takeOverUnknown, Duration unknownTtl) {
        if (closed) {
            return closedStage();
        }
        ClaimAttempt attempt = new ClaimAttempt(fingerprint, owner, lease, takeOverUnknown, unknownTtl,
                nextFence, nextSeq);
        PackedId key = PackedId.of(id);
        while (true) {
            Instant now = clock.instant();
            attempt.result = null;
            slots.compute(key, (k, current) -> {
                boolean live = current != null && !current.expired(now);
                if (current == null && !reserveRoom()) {
                    return null; // no answer yet: make room outside the lock, then try again
                }
                Slot next = attempt.next(k, live ? current : null, now);
                return live && next == current ? current : replace(current, next);
            });
            if (attempt.leaseLapsed) {
                waiters.wake(id);
            }
            if (attempt.result != null) {
                return CompletableFuture.completedFuture(attempt.result);
            }
            if (!reclaimExpired(now)) {
                return CompletableFuture.failedFuture(new StoreFullException(size.get(), retainedBytes.get()));
            }
        }
    }

    @Override
    public CompletionStage<Boolean> renew(String id, String owner, long fence, Duration lease) {
        return ownerWrite(id, owner, fence, false, (inFlight, now) -> inFlight.renewed(now.plus(lease),
                sequence.incrementAndGet()));
    }

    @Override
    public CompletionStage<Boolean> complete(String id, String owner, long fence, StoredResponse response,
                                             Duration ttl) {
        Objects.requireNonNull(response, "response");
        return ownerWrite(id, owner, fence, true, (inFlight, now) -> inFlight.completed(response, now, now.plus(ttl),
                sequence.incrementAndGet()));
    }

    @Override
    public CompletionStage<Boolean> release(String id, String owner, long fence) {
        return ownerWrite(id, owner, fence, true, (inFlight, now) -> null);
    }

    @Override
    public CompletionStage<Boolean> markOutcomeUnknown(String id, String owner, long fence, String reason,
                                                       Duration ttl) {
        return ownerWrite(id, owner, fence, true, (inFlight, now) -> inFlight.unknown(reason, now, now.plus(ttl),
                sequence.incrementAndGet()));
    }

    @Override
    public CompletionStage<Optional<IdempotencyRecord>> get(String id) {
        if (closed) {
            return closedStage();
        }
        Slot slot = slots.get(PackedId.of(id));
        if (slot != null && slot.expired(clock.instant())) {
            dropIfCurrent(slot);
            slot = null;
        }
        return CompletableFuture.completedFuture(slot == null ? Optional.empty() : Optional.of(slot.record()));
    }

    @Override
    public CompletionStage<Boolean> delete(String id) {
        if (closed) {
            return closedStage();
        }
        Instant now = clock.instant();
        boolean[] existed = {false};
        slots.computeIfPresent(PackedId.of(id), (key, current) -> {
            existed[0] = !current.expired(now);
            return replace(current, null);
        });
        waiters.wake(id);
        return CompletableFuture.completedFuture(existed[0]);
    }

    @Override
    public CompletableFuture<Void> awaitChange(String id) {
        if (closed) {
            return closedStage();
        }
        // Register first, then look: a change that lands in between has either found this waiter or is seen here.
        CompletableFuture<Void> change = waiters.register(id);
        Slot slot = slots.get(PackedId.of(id));
        if (slot == null || !slot.leaseRunning(clock.instant())) {
            change.complete(null);
        }
        return change;
    }

    @Override
    public CompletionStage<Boolean> ping() {
        return CompletableFuture.completedFuture(!closed);
    }

    @Override
    public void close() {
        closed = true;
        sweeper.shutdownNow();
        waiters.failAll(new IllegalStateException("memory store closed"));
    }

    /** How full the store is: the larger of records / max-entries and bytes / max-bytes (1.0 = full). */
    public double fill() {
        return Math.max((double) size.get() / maxEntries, (double) retainedBytes.get() / maxBytes);
    }

    /** Records held now, whatever their state (expired ones not yet swept included). */
    public int size() {
        return size.get();
    }

    /** An estimate of the heap held by records: bodies, headers, strings and per-record overhead. */
    public long retainedBytes() {
        return retainedBytes.get();
    }

    /** Futures handed out by {@code awaitChange} that are still pending. */
    public int waiterCount() {
        return waiters.count();
    }

    int waitedIds() {
        return waiters.idCount();
    }

    boolean sweeperRunning() {
        return !sweeper.isTerminated();
    }

    /** One sweeper pass: expire due records (bounded), wake waiters whose record is no longer worth waiting on. */
    void sweep() {
        Instant now = clock.instant();
        for (Slot due : terminal.expired(now, MAX_EXPIRIES_PER_SWEEP)) {
            dropIfCurrent(due);
        }
        waiters.wakeWhere(id -> {
            Slot slot = slots.get(PackedId.of(id));
            return slot == null || !slot.leaseRunning(now);
        });
        warnWhenFilling();
    }

    /** Once per crossing: full means new keys fail (on-store-failure), so the operator must hear it before. */
    private void warnWhenFilling() {
        int percent = (int) (fill() * 100);
        if (!warnedFull && percent >= WARN_FILL_PERCENT) {
            warnedFull = true;
            log.warn("memory store {}% full ({} records, ~{} bytes): at 100% new keys fail as a store failure "
                    + "(on-store-failure); raise store.memory.max-entries / max-bytes or the heap",
                    percent, size.get(), retainedBytes.get());
        } else if (warnedFull && percent < WARN_FILL_PERCENT - 10) {
            warnedFull = false;
            log.info("memory store back to {}% full", percent);
        }
    }

    private void sweepQuietly() {
        try {
            sweep();
        } catch (RuntimeException e) {
            // A failed pass must not cancel the schedule; the next pass retries.
            log.warn("memory store sweep failed", e);
        }
    }

    /** Strictly above every fence handed out before, and never below the clock in microseconds. */
    private long nextFence() {
        Instant now = clock.instant();
        long floor = Math.addExact(Math.multiplyExact(now.getEpochSecond(), 1_000_000L), now.getNano() / 1_000);
        return fences.accumulateAndGet(floor, (last, clockFloor) -> Math.max(last + 1, clockFloor));
    }

    private CompletionStage<Boolean> ownerWrite(String id, String owner, long fence, boolean wakes,
                                                BiFunction<Slot, Instant, Slot> next) {
        if (closed) {
            return closedStage();
        }
        Instant now = clock.instant();
        boolean[] written = {false};
        slots.computeIfPresent(PackedId.of(id), (key, current) -> {
            if (current.ownedBy(owner, fence)) {
                written[0] = true;
                return replace(current, next.apply(current, now));
            }
            return current;
        });
        if (written[0] && wakes) {
            waiters.wake(id);
        }
        return CompletableFuture.completedFuture(written[0]);
    }

    /**
     * Swaps one slot for the next inside the map operation on their id, keeping the index, the size and
     * the byte estimate in step. A new id has already reserved its place in {@link #size}.
     */
    private Slot replace(Slot current, Slot slot) {
        if (current != null) {
            terminal.remove(current);
            retainedBytes.addAndGet(-current.retainedBytes());
            if (slot == null) {
                size.decrementAndGet();
            }
        }
        if (slot != null) {
            terminal.add(slot);
            retainedBytes.addAndGet(slot.retainedBytes());
        }
        return slot;
    }

    private boolean reserveRoom() {
        while (true) {
            int held = size.get();
            if (held >= maxEntries || retainedBytes.get() >= maxBytes) {
                return false;
            }
            if (size.compareAndSet(held, held + 1)) {
                return true;
            }
        }
    }

    /** Reclaims one expired record; false when none has expired (live records are never dropped for room). */
    private boolean reclaimExpired(Instant now) {
        Slot expired = terminal.firstExpired(now);
        if (expired == null) {
            return false;
        }
        dropIfCurrent(expired);
        return true;
    }

    private void dropIfCurrent(Slot slot) {
        slots.computeIfPresent(slot.id, (key, current) -> current == slot ? replace(current, null) : current);
        // A slot the map no longer holds has already left the index in the same operation; this is a no-op
        // then, and a safety net so a stale entry can never make eviction spin.
        terminal.remove(slot);
    }

    private static <T> CompletableFuture<T> closedStage() {
        return CompletableFuture.failedFuture(new IllegalStateException("memory store closed"));
    }
}
