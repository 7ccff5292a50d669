package io.idemgate.gateway.store.memory;

import io.idemgate.gateway.idempotency.IdempotencyRecord;
import io.idemgate.gateway.idempotency.StoredResponse;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;

/**
 * One map value: a record plus what the store needs to expire, evict and account for it. Identity
 * matters: the indexes hold slots, and a slot that is no longer the map's value for its id is stale.
 */
final class Slot {

    static final Comparator<Slot> BY_EXPIRY = Comparator.<Slot, Instant>comparing(slot -> slot.expiresAt)
            .thenComparingLong(slot -> slot.seq);

    // A rough per-record cost of the map node, the slot, the record and its index nodes.
    private static final long OVERHEAD_BYTES = 256;

    final String id;
    final IdempotencyRecord record;
    /** Unique and growing; orders slots that expire at the same instant. */
    final long seq;
    /** When a completed or outcome-unknown record expires; null while in flight (a lease is no expiry). */
    final Instant expiresAt;
    final long retainedBytes;

    Slot(String id, IdempotencyRecord record, long seq) {
        this.id = id;
        this.record = record;
        this.seq = seq;
        this.expiresAt = expiresAt(record);
        this.retainedBytes = estimate(id, record);
    }

    boolean terminal() {
        return expiresAt != null;
    }

    boolean expired(Instant now) {
        return expiresAt != null && !now.isBefore(expiresAt);
    }

    /** In flight and its owner's lease still runs: the only state worth waiting on. */
    boolean leaseRunning(Instant now) {
        return record instanceof IdempotencyRecord.InFlight inFlight && now.isBefore(inFlight.leaseUntil());
    }

    private static Instant expiresAt(IdempotencyRecord record) {
        if (record instanceof IdempotencyRecord.Completed completed) {
            return completed.expiresAt();
        }
        if (record instanceof IdempotencyRecord.OutcomeUnknown unknown) {
            return unknown.expiresAt();
        }
        return null;
    }

    private static long estimate(String id, IdempotencyRecord record) {
        long bytes = OVERHEAD_BYTES + 2L * (id.length() + record.fingerprint().length());
        if (record instanceof IdempotencyRecord.Completed completed) {
            StoredResponse response = completed.response();
            bytes += response.body().length();
            for (Map.Entry<String, String> header : response.headers()) {
                bytes += 64 + 2L * (header.getKey().length() + header.getValue().length());
            }
        } else if (record instanceof IdempotencyRecord.InFlight inFlight) {
            bytes += 2L * inFlight.owner().length();
        } else if (record instanceof IdempotencyRecord.OutcomeUnknown unknown) {
            bytes += 2L * unknown.reason().length();
        }
        return bytes;
    }
}
