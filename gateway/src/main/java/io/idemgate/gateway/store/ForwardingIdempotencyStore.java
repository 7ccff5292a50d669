package io.idemgate.gateway.store;

import io.idemgate.gateway.idempotency.IdempotencyRecord;
import io.idemgate.gateway.idempotency.StoredResponse;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A store that hands every call to the store it wraps. The layers {@link StoreFactory} stacks (breaker,
 * instrumentation, claim coalescing) extend it and override only what they change, so a new method on
 * {@link IdempotencyStore} is forwarded here once rather than by every layer.
 *
 * <p>Threading: as the wrapped store.
 */
public abstract class ForwardingIdempotencyStore implements IdempotencyStore {

    private final IdempotencyStore delegate;

    protected ForwardingIdempotencyStore(IdempotencyStore delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** The store this one wraps. */
    protected final IdempotencyStore delegate() {
        return delegate;
    }

    @Override
    public CompletionStage<ClaimResult> claim(String id, String fingerprint, String owner, Duration lease,
                                              boolean takeOverUnknown, Duration unknownTtl) {
        return delegate.claim(id, fingerprint, owner, lease, takeOverUnknown, unknownTtl);
    }

    @Override
    public CompletionStage<Boolean> renew(String id, String owner, long fence, Duration lease) {
        return delegate.renew(id, owner, fence, lease);
    }

    @Override
    public CompletionStage<Boolean> complete(String id, String owner, long fence, StoredResponse response, Duration ttl) {
        return delegate.complete(id, owner, fence, response, ttl);
    }

    @Override
    public CompletionStage<Boolean> release(String id, String owner, long fence) {
        return delegate.release(id, owner, fence);
    }

    @Override
    public CompletionStage<Boolean> markOutcomeUnknown(String id, String owner, long fence, String reason, Duration ttl) {
        return delegate.markOutcomeUnknown(id, owner, fence, reason, ttl);
    }

    @Override
    public CompletionStage<Optional<IdempotencyRecord>> get(String id) {
        return delegate.get(id);
    }

    @Override
    public CompletionStage<Boolean> delete(String id) {
        return delegate.delete(id);
    }

    @Override
    public CompletableFuture<Void> awaitChange(String id) {
        return delegate.awaitChange(id);
    }

    @Override
    public CompletionStage<Boolean> ping() {
        return delegate.ping();
    }

    @Override
    public CompletionStage<Boolean> ready() {
        return delegate.ready();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
