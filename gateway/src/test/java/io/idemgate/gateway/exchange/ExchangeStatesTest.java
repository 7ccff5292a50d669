package io.idemgate.gateway.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import org.junit.jupiter.api.Test;

/** The two exchanges' transition tables: every state can end, the end is final, a gone client stays gone. */
class ExchangeStatesTest {

    @Test
    void everyProxyStateCanEndAndTheEndIsFinal() {
        for (ProxyState s : ProxyState.values()) {
            if (s != ProxyState.DONE) {
                assertThat(s.canMoveTo(ProxyState.DONE)).as(s + " → DONE").isTrue();
            }
            assertThat(ProxyState.DONE.canMoveTo(s)).as("DONE → " + s).isFalse();
        }
    }

    @Test
    void aProxyStateWithTheClientGoneNeverMovesBackToOneWithTheClient() {
        for (ProxyState from : ProxyState.values()) {
            if (!from.clientGone()) {
                continue;
            }
            for (ProxyState to : ProxyState.values()) {
                if (from.canMoveTo(to)) {
                    assertThat(to.clientGone() || to == ProxyState.DONE).as(from + " → " + to).isTrue();
                }
            }
            assertThat(from.phase().withClientGone()).isEqualTo(from);
        }
    }

    @Test
    void buffersNeverOutliveTheirClient() {
        // Buffering holds a body that has not all arrived: without the client it cannot complete.
        assertThat(ProxyState.BUFFERING.withClientGone()).isNull();
    }

    @Test
    void theIdempotentTableHasTheMovesOfItsDiagram() {
        EnumSet<IdempotentState> fromAggregating = EnumSet.noneOf(IdempotentState.class);
        for (IdempotentState s : IdempotentState.values()) {
            if (IdempotentState.AGGREGATING.canMoveTo(s)) {
                fromAggregating.add(s);
            }
        }
        assertThat(fromAggregating).containsExactlyInAnyOrder(
                IdempotentState.SCOPING, IdempotentState.CLAIMING, IdempotentState.DONE);
        assertThat(IdempotentState.WAITING.canMoveTo(IdempotentState.CLAIMING)).as("woken: claims again").isTrue();
        assertThat(IdempotentState.CLAIMING_CLIENT_GONE.canMoveTo(IdempotentState.WAITING)).isFalse();
        assertThat(IdempotentState.SCOPING.canMoveTo(IdempotentState.WAITING)).isFalse();
        for (IdempotentState s : IdempotentState.values()) {
            assertThat(s.canMoveTo(IdempotentState.DONE)).as(s + " → DONE").isTrue();
            assertThat(IdempotentState.DONE.canMoveTo(s)).as("DONE → " + s).isEqualTo(s == IdempotentState.DONE);
        }
    }
}
