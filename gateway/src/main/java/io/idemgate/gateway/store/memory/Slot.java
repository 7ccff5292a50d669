package io.idemgate.gateway.store.memory;

import io.idemgate.gateway.idempotency.BodyChunks;
import io.idemgate.gateway.idempotency.IdempotencyRecord;
import io.idemgate.gateway.idempotency.IdempotencyRecord.Completed;
import io.idemgate.gateway.idempotency.IdempotencyRecord.InFlight;
import io.idemgate.gateway.idempotency.IdempotencyRecord.OutcomeUnknown;
import io.idemgate.gateway.idempotency.StoredBody;
import io.idemgate.gateway.idempotency.StoredResponse;
import java.time.Instant;
import java.util.List;

/**
 * One map value: a record, flat. A completed record with a small body is three objects and two leaf
 * arrays (the map's key, this slot, its head {@link RecordBytes}, the body's one chunk) instead of some
 * twenty-five (strings, instants, entries, lists): the heap a million live records hold, and the work a
 * collector does marking and copying them, shrink with it. {@link #record()} decodes it for callers.
 *
 * <p>Times are nanoseconds since the epoch (exact from 1677 to 2262; an instant beyond saturates).
 * Identity matters: the index holds slots, and a slot that is no longer the map's value for its id is stale.
 */
final class Slot {

    static final byte IN_FLIGHT = 0;
    static final byte COMPLETED = 1;
    static final byte UNKNOWN = 2;

    final PackedId id;
    final byte state;
    final long fence;
    final long createdAt;
    /** In flight: when the lease ends; completed: when it completed; outcome unknown: since when. */
    final long changedAt;
    /** When a completed or outcome-unknown record expires; {@code Long.MAX_VALUE} in flight (a lease is no expiry). */
    final long expiresAt;
    /** Unique and growing: each state change of the store takes the next. */
    final long seq;
    /** The fingerprint, and a completed record's status and headers ({@link RecordBytes}). */
    final byte[] head;
    /** In flight: the owner (String); outcome unknown: the reason (String); completed: the body, see {@link #body}. */
    private final Object tail;
    /**
     * Where {@link TerminalIndex} keeps this slot in its expiry second's bucket, -1 when not there; guarded
     * by that bucket's lock. The one mutable field, and free: it fits the padding of the object's layout.
     */
    int indexPlace = -1;

    private Slot(PackedId id, byte state, long fence, long createdAt, long changedAt, long expiresAt, long seq,
                 byte[] head, Object tail) {
        this.id = id;
        this.state = state;
        this.fence = fence;
        this.createdAt = createdAt;
        this.changedAt = changedAt;
        this.expiresAt = expiresAt;
        this.seq = seq;
        this.head = head;
        this.tail = tail;
    }

    static Slot inFlight(PackedId id, byte[] fingerprintHead, long fence, String owner, Instant leaseUntil,
                         Instant createdAt, long seq) {
        return new Slot(id, IN_FLIGHT, fence, nanos(createdAt), nanos(leaseUntil), Long.MAX_VALUE, seq,
                fingerprintHead, owner);
    }

    Slot renewed(Instant leaseUntil, long seq) {
        return new Slot(id, IN_FLIGHT, fence, createdAt, nanos(leaseUntil), Long.MAX_VALUE, seq, head, tail);
    }

    /** This in-flight record completed with {@code response}. */
    Slot completed(StoredResponse response, Instant now, Instant expiresAt, long seq) {
        return new Slot(id, COMPLETED, fence, createdAt, nanos(now), nanos(expiresAt), seq,
                RecordBytes.completed(head, response), compact(response.body()));
    }

    /** This in-flight record's outcome is unknown since {@code since}. */
    Slot unknown(String reason, Instant since, Instant expiresAt, long seq) {
        return new Slot(id, UNKNOWN, fence, createdAt, nanos(since), nanos(expiresAt), seq,
                head, reason);
    }

    /** This in-flight record, its lease lapsed: unknown since the lease's end. */
    Slot lapsed(String reason, Instant expiresAt, long seq) {
        return new Slot(id, UNKNOWN, fence, createdAt, changedAt, nanos(expiresAt), seq, head, reason);
    }

    boolean terminal() {
        return state != IN_FLIGHT;
    }

    boolean expired(Instant now) {
        return state != IN_FLIGHT && nanos(now) >= expiresAt;
    }

    /** In flight and its owner's lease still runs: the only state worth waiting on. */
    boolean leaseRunning(Instant now) {
        return state == IN_FLIGHT && nanos(now) < changedAt;
    }

    boolean leaseLapsed(Instant now) {
        return state == IN_FLIGHT && nanos(now) >= changedAt;
    }

    boolean ownedBy(String owner, long fence) {
        return state == IN_FLIGHT && this.fence == fence && owner.equals(tail);
    }

    boolean sameFingerprint(byte[] fingerprintHead) {
        return RecordBytes.sameFingerprint(head, fingerprintHead);
    }

    /** The record as callers see it, decoded anew on every call. */
    IdempotencyRecord record() {
        String fingerprint = RecordBytes.fingerprint(head);
        return switch (state) {
            case IN_FLIGHT -> new InFlight(fingerprint, fence, (String) tail, instant(changedAt), instant(createdAt));
            case COMPLETED -> new Completed(fingerprint, fence, RecordBytes.response(head, body()), instant(createdAt),
                    instant(changedAt), instant(expiresAt));
            default -> new OutcomeUnknown(fingerprint, fence, (String) tail, instant(createdAt), instant(changedAt),
                    instant(expiresAt));
        };
    }

    /** An estimate of the heap this record holds, from its layout ({@link Footprint}); the same on every call. */
    long retainedBytes() {
        long bytes = Footprint.MAP_ENTRY + id.retainedBytes() + Footprint.SLOT + Footprint.array(head.length);
        if (state != IN_FLIGHT) {
            bytes += Footprint.INDEX_ENTRY;
        }
        if (tail instanceof String s) {
            bytes += Footprint.string(s);
        } else if (tail instanceof byte[] chunk) {
            bytes += Footprint.array(chunk.length);
        } else if (tail instanceof BodyChunks chunks) {
            bytes += Footprint.CHUNKED_BODY + Footprint.array(4L * chunks.chunkCount());
            for (int i = 0; i < chunks.chunkCount(); i++) {
                bytes += Footprint.array(chunks.chunkNow(i).length);
            }
        } else if (tail != null) {
            bytes += Footprint.OTHER_BODY;
        }
        return bytes;
    }

    private StoredBody body() {
        if (tail == null) {
            return BodyChunks.EMPTY;
        }
        return tail instanceof byte[] chunk ? BodyChunks.of(List.of(chunk)) : (StoredBody) tail;
    }

    /** A body of one chunk is kept as the chunk itself (no copy), an empty one as nothing. */
    private static Object compact(StoredBody body) {
        if (body instanceof BodyChunks chunks && chunks.chunkCount() <= 1) {
            return chunks.chunkCount() == 0 ? null : chunks.chunkNow(0);
        }
        return body;
    }

    static long nanos(Instant t) {
        try {
            return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
        } catch (ArithmeticException e) {
            return t.getEpochSecond() < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    static Instant instant(long nanos) {
        return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
    }
}
