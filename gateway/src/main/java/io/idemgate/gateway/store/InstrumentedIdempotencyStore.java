package io.idemgate.gateway.store;

import io.idemgate.gateway.idempotency.IdempotencyRecord;
import io.idemgate.gateway.idempotency.StoredResponse;
import io.idemgate.gateway.metrics.GatewayMetrics;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Times every store call into {@code idemgate_store_operation_seconds{operation,result}} and counts
 * failures in {@code idemgate_store_errors_total{operation}}, whatever the store behind it.
 */
public final class InstrumentedIdempotencyStore extends ForwardingIdempotencyStore {

    private final GatewayMetrics metrics;

    public InstrumentedIdempotencyStore(IdempotencyStore delegate, GatewayMetrics metrics) {
        super(delegate);
        this.metrics = metrics;
    }

    @Override
    public CompletionStage<ClaimResult> claim(String id, String fingerprint, String owner, Duration lease,
                                              boolean takeOverUnknown, Duration unknownTtl) {
        long t0 = System.nanoTime();
        return timed("claim", t0, delegate().claim(id, fingerprint, owner, lease, takeOverUnknown, unknownTtl));
    }

    @Override
    public CompletionStage<Boolean> renew(String id, String owner, long fence, Duration lease) {
        return timed("renew", System.nanoTime(), delegate().renew(id, owner, fence, lease));
    }

    @Override
    public CompletionStage<Boolean> complete(String id, String owner, long fence, StoredResponse response, Duration ttl) {
        return timed("complete", System.nanoTime(), delegate().complete(id, owner, fence, response, ttl));
    }

    @Override
    public CompletionStage<Boolean> release(String id, String owner, long fence) {
        return timed("release", System.nanoTime(), delegate().release(id, owner, fence));
    }

    @Override
    public CompletionStage<Boolean> markOutcomeUnknown(String id, String owner, long fence, String reason, Duration ttl) {
        return timed("mark_unknown", System.nanoTime(), delegate().markOutcomeUnknown(id, owner, fence, reason, ttl));
    }

    @Override
    public CompletionStage<Optional<IdempotencyRecord>> get(String id) {
        return timed("get", System.nanoTime(), delegate().get(id));
    }

    @Override
    public CompletionStage<Boolean> delete(String id) {
        return timed("delete", System.nanoTime(), delegate().delete(id));
    }

    @Override
    public CompletionStage<Boolean> ping() {
        return timed("ping", System.nanoTime(), delegate().ping());
    }

    private <T> CompletionStage<T> timed(String operation, long t0, CompletionStage<T> stage) {
        return stage.whenComplete((v, err) -> {
            long nanos = System.nanoTime() - t0;
            if (err == null) {
                metrics.storeOperation(operation, "ok", nanos);
            } else {
                metrics.storeOperation(operation, "error", nanos);
                metrics.storeError(operation);
            }
        });
    }
}
