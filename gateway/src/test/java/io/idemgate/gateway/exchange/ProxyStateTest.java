package io.idemgate.gateway.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProxyStateTest {

    @Test
    void eachClientGoneTwinHasItsStepAsPhaseAndEveryOtherStateIsItsOwn() {
        assertThat(ProxyState.NEW_CLIENT_GONE.phase()).isEqualTo(ProxyState.NEW);
        assertThat(ProxyState.ACQUIRING_CLIENT_GONE.phase()).isEqualTo(ProxyState.ACQUIRING);
        assertThat(ProxyState.AWAITING_RESPONSE_CLIENT_GONE.phase()).isEqualTo(ProxyState.AWAITING_RESPONSE);
        assertThat(ProxyState.STREAMING_RESPONSE_CLIENT_GONE.phase()).isEqualTo(ProxyState.STREAMING_RESPONSE);
        for (ProxyState s : ProxyState.values()) {
            boolean twin = s.name().endsWith("_CLIENT_GONE");
            assertThat(s.clientGone()).as(s.name()).isEqualTo(twin);
            if (!twin) {
                assertThat(s.phase()).isEqualTo(s);
            }
            ProxyState gone = s.withClientGone();
            if (gone != null) {
                assertThat(gone.clientGone()).isTrue();
                assertThat(gone.phase()).isEqualTo(s.phase());
            }
        }
        assertThat(ProxyState.BUFFERING.withClientGone()).isNull();
        assertThat(ProxyState.DONE.withClientGone()).isNull();
    }
}
