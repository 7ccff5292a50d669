package io.idemgate.gateway.exchange;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The states of a {@link ProxyExchange} and the moves allowed between them. Each state where an
 * idempotent execution may outlive its client has a {@code _CLIENT_GONE} twin: the exchange goes on
 * (the request may already be running upstream) and its result is stored, but nothing is written to
 * the client. A move the table does not allow is a bug; the exchange's fallback aborts both sides
 * rather than guess.
 *
 * <pre>
 *   NEW ──start──▶ BUFFERING ──body whole or large──▶ ACQUIRING ──connection──▶ AWAITING_RESPONSE
 *    │                                                  ▲                          │ response head
 *    └──────────start (no body to hold)─────────────────┘                          ▼
 *                                                                         STREAMING_RESPONSE ──last──▶ DONE
 *   any state ──local answer (502, 504, 408…), abort, client closed (pass-through)──▶ DONE
 *   NEW/ACQUIRING/AWAITING/STREAMING ──client closed (idempotent execution)──▶ its _CLIENT_GONE twin
 * </pre>
 */
enum ProxyState {
    NEW,
    BUFFERING,
    ACQUIRING,
    AWAITING_RESPONSE,
    STREAMING_RESPONSE,
    NEW_CLIENT_GONE,
    ACQUIRING_CLIENT_GONE,
    AWAITING_RESPONSE_CLIENT_GONE,
    STREAMING_RESPONSE_CLIENT_GONE,
    DONE;

    private static final Map<ProxyState, Set<ProxyState>> NEXT = new EnumMap<>(ProxyState.class);
    private static final Map<ProxyState, ProxyState> GONE = new EnumMap<>(ProxyState.class);
    /** {@link #phase()} by ordinal: asked several times per exchange, so looked up, not searched (no iterator). */
    private static final ProxyState[] PHASE = new ProxyState[values().length];

    static {
        allow(NEW, BUFFERING, ACQUIRING, NEW_CLIENT_GONE, DONE);
        allow(BUFFERING, ACQUIRING, DONE);
        allow(ACQUIRING, AWAITING_RESPONSE, ACQUIRING_CLIENT_GONE, DONE);
        allow(AWAITING_RESPONSE, STREAMING_RESPONSE, AWAITING_RESPONSE_CLIENT_GONE, DONE);
        allow(STREAMING_RESPONSE, STREAMING_RESPONSE_CLIENT_GONE, DONE);
        allow(NEW_CLIENT_GONE, ACQUIRING_CLIENT_GONE, DONE);
        allow(ACQUIRING_CLIENT_GONE, AWAITING_RESPONSE_CLIENT_GONE, DONE);
        allow(AWAITING_RESPONSE_CLIENT_GONE, STREAMING_RESPONSE_CLIENT_GONE, DONE);
        allow(STREAMING_RESPONSE_CLIENT_GONE, DONE);
        allow(DONE);
        GONE.put(NEW, NEW_CLIENT_GONE);
        GONE.put(ACQUIRING, ACQUIRING_CLIENT_GONE);
        GONE.put(AWAITING_RESPONSE, AWAITING_RESPONSE_CLIENT_GONE);
        GONE.put(STREAMING_RESPONSE, STREAMING_RESPONSE_CLIENT_GONE);
        for (ProxyState s : values()) {
            PHASE[s.ordinal()] = s;
        }
        GONE.forEach((withClient, gone) -> PHASE[gone.ordinal()] = withClient);
    }

    private static void allow(ProxyState from, ProxyState... to) {
        NEXT.put(from, to.length == 0 ? EnumSet.noneOf(ProxyState.class) : EnumSet.of(to[0], to)); // to[0] twice is harmless
    }

    boolean canMoveTo(ProxyState next) {
        return NEXT.get(this).contains(next);
    }

    boolean clientGone() {
        return PHASE[ordinal()] != this;
    }

    /** The twin of this state once the client has left; null where the exchange cannot outlive its client. */
    ProxyState withClientGone() {
        return clientGone() ? this : GONE.get(this);
    }

    /** The same step with the client there: what the exchange's events switch on. */
    ProxyState phase() {
        return PHASE[ordinal()];
    }
}
