package io.idemgate.gateway.store;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.DoubleSupplier;

/**
 * What a store reports about itself beyond answering: risks to the records it holds, which an operator must
 * see in metrics ({@code idemgate_store_eviction_risk}, {@code idemgate_store_unconfirmed_completions_total})
 * and in {@code /readyz}'s detail. A store writes it, the gateway reads it.
 *
 * <p>Threading: any thread.
 */
public final class StoreHealth {

    private final AtomicLong unconfirmedCompletions = new AtomicLong();
    private volatile String evictionRisk;
    private volatile DoubleSupplier fill = () -> 0;
    private volatile BooleanSupplier scriptFreeClaims = () -> false;

    /** A completion was stored on the master but not confirmed by the replicas asked for ({@code WAIT}). */
    public void unconfirmedCompletion() {
        unconfirmedCompletions.incrementAndGet();
    }

    public long unconfirmedCompletions() {
        return unconfirmedCompletions.get();
    }

    /** Why the store may drop live records to make room (e.g. Redis's eviction policy); null when it may not. */
    public void evictionRisk(String why) {
        evictionRisk = why;
    }

    public boolean atEvictionRisk() {
        return evictionRisk != null;
    }

    /** Where to read how full the store is (the memory store; a Redis store reports 0: Redis sizes itself). */
    public void fillFrom(DoubleSupplier source) {
        fill = source;
    }

    /** Where to read whether a claim of a new key needs no script (the Redis store; docs/store-format.md). */
    public void scriptFreeClaims(BooleanSupplier source) {
        scriptFreeClaims = source;
    }

    public boolean scriptFreeClaims() {
        return scriptFreeClaims.getAsBoolean();
    }

    /** 1.0 = full: new keys fail as a store failure. */
    public double fill() {
        return fill.getAsDouble();
    }

    /** Empty when all is well, else a sentence for {@code /readyz}. */
    public String detail() {
        String risk = evictionRisk;
        return risk == null ? "" : "; WARNING " + risk;
    }
}
