package io.idemgate.gateway.store;

import io.idemgate.gateway.idempotency.IdempotencyRecord;
import io.idemgate.gateway.idempotency.StoredResponse;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Stops calling a store that keeps failing, so a fail-closed route answers 503 in microseconds rather
 * than after a command timeout per request, and a fail-open route proxies without waiting.
 *
 * <p>{@code CLOSED}: calls pass; {@code failureThreshold} consecutive failures open the circuit.
 * {@code OPEN}: every call fails at once with {@link StoreUnavailableException}. Once the cool-down
 * has passed, the next call becomes the one probe ({@code HALF_OPEN}): it pings the store and, if the
 * store answers, runs its own call and closes the circuit; if not, the circuit opens again with a cool-down
 * twice as long (up to {@code maxOpenFor}). Other calls fail fast while the probe is out.
 *
 * <p>Thread-safe and lock-free: the whole state is one immutable value swapped by compare-and-set.
 * Results of calls started under an earlier state are ignored once the state has moved on.
 * {@link #awaitChange} is not guarded: it sends nothing to the store that could time out.
 */
public final class CircuitBreakingStore extends ForwardingIdempotencyStore {

    public enum Phase { CLOSED, OPEN, HALF_OPEN }

    /** When to open and for how long. */
    public record Settings(int failureThreshold, Duration openFor, Duration maxOpenFor) {
        // A probe is one PING, so probing often costs nothing; what a long cool-down costs is 503s (or
        // unprotected requests) for seconds after Redis is back. Measured with 10 s: up to 8.7 s of that.
        public static final Settings DEFAULT = new Settings(5, Duration.ofSeconds(1), Duration.ofSeconds(2));

        public Settings {
            if (failureThreshold < 1) {
                throw new IllegalArgumentException("failureThreshold must be >= 1, was " + failureThreshold);
            }
            if (openFor.isNegative() || openFor.isZero() || maxOpenFor.compareTo(openFor) < 0) {
                throw new IllegalArgumentException("need 0 < openFor <= maxOpenFor, was " + openFor + ", " + maxOpenFor);
            }
        }
    }

    /** {@code failures} counts consecutive failures while closed; {@code openFor} is the current cool-down. */
    private record State(Phase phase, int failures, long reopenAt, long openFor) {
    }

    private static final StoreUnavailableException OPEN =
            new StoreUnavailableException("idempotency store circuit open: store recently failed");

    private final Settings settings;
    private final LongSupplier nanoClock;
    private final Consumer<Phase> onPhaseChange;
    private final AtomicReference<State> state;

    public CircuitBreakingStore(IdempotencyStore delegate, Settings settings, LongSupplier nanoClock,
                                Consumer<Phase> onPhaseChange) {
        super(delegate);
        this.settings = Objects.requireNonNull(settings, "settings");
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.onPhaseChange = Objects.requireNonNull(onPhaseChange, "onPhaseChange");
        this.state = new AtomicReference<>(closed());
        onPhaseChange.accept(Phase.CLOSED);
    }

    public CircuitBreakingStore(IdempotencyStore delegate, Consumer<Phase> onPhaseChange) {
        this(delegate, Settings.DEFAULT, System::nanoTime, onPhaseChange);
    }

    public Phase phase() {
        return state.get().phase();
    }

    @Override
    public CompletionStage<ClaimResult> claim(String id, String fingerprint, String owner, Duration lease,
                                              boolean takeOverUnknown, Duration unknownTtl) {
        return guard(() -> delegate().claim(id, fingerprint, owner, lease, takeOverUnknown, unknownTtl));
    }

    @Override
    public CompletionStage<Boolean> renew(String id, String owner, long fence, Duration lease) {
        return guard(() -> delegate().renew(id, owner, fence, lease));
    }

    @Override
    public CompletionStage<Boolean> complete(String id, String owner, long fence, StoredResponse response, Duration ttl) {
        return guard(() -> delegate().complete(id, owner, fence, response, ttl));
    }

    @Override
    public CompletionStage<Boolean> release(String id, String owner, long fence) {
        return guard(() -> delegate().release(id, owner, fence));
    }

    @Override
    public CompletionStage<Boolean> markOutcomeUnknown(String id, String owner, long fence, String reason, Duration ttl) {
        return guard(() -> delegate().markOutcomeUnknown(id, owner, fence, reason, ttl));
    }

    @Override
    public CompletionStage<Optional<IdempotencyRecord>> get(String id) {
        return guard(() -> delegate().get(id));
    }

    @Override
    public CompletionStage<Boolean> delete(String id) {
        return guard(() -> delegate().delete(id));
    }

    /** Readiness: false at once while open; a ping once the cool-down has passed is itself the probe. */
    @Override
    public CompletionStage<Boolean> ping() {
        State s = state.get();
        if (s.phase() == Phase.CLOSED) {
            return pinged(s);
        }
        State probing = probeState(s);
        if (probing != null) {
            return pinged(probing);
        }
        return CompletableFuture.completedFuture(false);
    }

    /** Ready once the circuit is closed (a ping past the cool-down is the probe) and the store says so. */
    @Override
    public CompletionStage<Boolean> ready() {
        return ping().thenCompose(ok -> ok ? delegate().ready() : CompletableFuture.completedFuture(false));
    }

    /**
     * The store says it is back (a Redis link reconnected): while open, probe now rather than at the end of
     * the cool-down, so requests pass again within a round trip of Redis answering. Otherwise nothing.
     */
    public void probeNow() {
        State s = state.get();
        if (s.phase() != Phase.OPEN) {
            return;
        }
        State due = new State(Phase.OPEN, 0, nanoClock.getAsLong(), s.openFor());
        if (state.compareAndSet(s, due)) {
            State probing = probeState(due);
            if (probing != null) {
                pinged(probing);
            }
        }
    }

    private CompletionStage<Boolean> pinged(State started) {
        return call(delegate()::ping).handle((pong, err) -> {
            boolean ok = err == null && Boolean.TRUE.equals(pong);
            settle(started, ok);
            return ok;
        });
    }

    private <T> CompletionStage<T> guard(Supplier<CompletionStage<T>> operation) {
        State s = state.get();
        switch (s.phase()) {
            case CLOSED:
                return call(operation).whenComplete((v, err) -> settle(s, err == null));
            case OPEN:
                State probing = probeState(s);
                return probing != null ? probeThen(probing, operation) : CompletableFuture.failedFuture(OPEN);
            default:
                return CompletableFuture.failedFuture(OPEN);
        }
    }

    /** The half-open state if this caller won the right to probe (cool-down over, first to ask), else null. */
    private State probeState(State s) {
        if (s.phase() != Phase.OPEN || nanoClock.getAsLong() - s.reopenAt() < 0) {
            return null;
        }
        State probing = new State(Phase.HALF_OPEN, 0, s.reopenAt(), s.openFor());
        return transition(s, probing) ? probing : null;
    }

    /** The probe: a ping first, so a store that still hangs costs one ping, not the caller's real command. */
    private <T> CompletionStage<T> probeThen(State probing, Supplier<CompletionStage<T>> operation) {
        return call(delegate()::ping).handle((pong, err) -> err == null && Boolean.TRUE.equals(pong))
                .thenCompose(ok -> {
                    settle(probing, ok);
                    return ok ? call(operation) : CompletableFuture.<T>failedFuture(OPEN);
                });
    }

    /** Records the result of a call started under {@code started}; ignored if the state has moved on since. */
    private void settle(State started, boolean ok) {
        while (true) {
            State now = state.get();
            if (now.phase() != started.phase()) {
                return; // a late answer from before the circuit opened or closed
            }
            State next;
            if (now.phase() == Phase.CLOSED) {
                if (ok) {
                    if (now.failures() == 0) {
                        return;
                    }
                    next = closed();
                } else if (now.failures() + 1 >= settings.failureThreshold()) {
                    long openFor = settings.openFor().toNanos();
                    next = new State(Phase.OPEN, 0, nanoClock.getAsLong() + openFor, openFor);
                } else {
                    next = new State(Phase.CLOSED, now.failures() + 1, 0, 0);
                }
            } else if (now.phase() == Phase.HALF_OPEN && now == started) {
                if (ok) {
                    next = closed();
                } else {
                    long openFor = Math.min(now.openFor() * 2, settings.maxOpenFor().toNanos());
                    next = new State(Phase.OPEN, 0, nanoClock.getAsLong() + openFor, openFor);
                }
            } else {
                return;
            }
            if (transition(now, next)) {
                return;
            }
        }
    }

    private boolean transition(State from, State to) {
        if (!state.compareAndSet(from, to)) {
            return false;
        }
        if (from.phase() != to.phase()) {
            onPhaseChange.accept(to.phase());
        }
        return true;
    }

    /** A delegate that throws instead of failing its stage counts as a failed call, not as our crash. */
    private static <T> CompletionStage<T> call(Supplier<CompletionStage<T>> operation) {
        try {
            return operation.get();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static State closed() {
        return new State(Phase.CLOSED, 0, 0, 0);
    }
}
