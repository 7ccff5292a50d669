package io.idemgate.gateway.exchange;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The states of an {@link IdempotentExchange} and the moves allowed between them, as {@link ProxyState}
 * is for the pass-through half. A move the table does not allow is a bug; the exchange's fallback closes
 * the client rather than guess (a claim won meanwhile is released when its answer comes, since the
 * exchange no longer wants it).
 *
 * <pre>
 *   AGGREGATING ──body whole, scope pending──▶ SCOPING ──token verified──┐
 *        │                                                               ▼
 *        └───────────body whole, scope known──────────────────────▶ CLAIMING ◀──record changed── WAITING
 *                                                                      │  └──duplicate in flight (wait)──▶ ┘
 *                                                                      └──client closed──▶ CLAIMING_CLIENT_GONE
 *   any state ──answered, replayed, handed over (execute, pass through), client closed──▶ DONE
 * </pre>
 */
enum IdempotentState {
    /** Reading the body; the key and scope from the head are accepted already. */
    AGGREGATING,
    /** Body whole; parked on the scope's token verification. */
    SCOPING,
    /** Asked the store; its answer decides. */
    CLAIMING,
    /** The client left while the store was asked: a claim won is released when its answer comes. */
    CLAIMING_CLIENT_GONE,
    /** A duplicate parked until the first attempt's record changes or {@code wait-timeout} passes. */
    WAITING,
    /** Answered, handed over, or abandoned. */
    DONE;

    private static final Map<IdempotentState, Set<IdempotentState>> NEXT = new EnumMap<>(IdempotentState.class);

    static {
        NEXT.put(AGGREGATING, EnumSet.of(SCOPING, CLAIMING, DONE));
        NEXT.put(SCOPING, EnumSet.of(CLAIMING, DONE));
        NEXT.put(CLAIMING, EnumSet.of(WAITING, CLAIMING_CLIENT_GONE, DONE));
        NEXT.put(CLAIMING_CLIENT_GONE, EnumSet.of(DONE));
        NEXT.put(WAITING, EnumSet.of(CLAIMING, DONE));
        // Ending twice is harmless (a client closing after the answer was decided): DONE stays DONE.
        NEXT.put(DONE, EnumSet.of(DONE));
    }

    boolean canMoveTo(IdempotentState next) {
        return NEXT.get(this).contains(next);
    }
}
