package io.idemgate.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;

class HopByHopHeadersTest {

    @Test
    void stripsTheFixedHopByHopFields() {
        HttpHeaders h = new DefaultHttpHeaders()
                .add("Connection", "keep-alive")
                .add("Keep-Alive", "timeout=5")
                .add("Proxy-Connection", "keep-alive")
                .add("TE", "trailers")
                .add("Trailer", "X-Checksum")
                .add("Transfer-Encoding", "chunked")
                .add("Upgrade", "websocket")
                .add("Proxy-Authorization", "Basic abc")
                .add("Content-Type", "application/json")
                .add("Authorization", "Bearer t");
        HopByHopHeaders.strip(h);
        assertThat(h.names()).containsExactlyInAnyOrder("Content-Type", "Authorization");
    }

    @Test
    void stripsFieldsNamedInConnection() {
        HttpHeaders h = new DefaultHttpHeaders()
                .add("Connection", "close, X-Internal-Hop")
                .add("Connection", "x-other")
                .add("X-Internal-Hop", "1")
                .add("X-Other", "2")
                .add("X-Kept", "3");
        HopByHopHeaders.strip(h);
        assertThat(h.names()).containsExactly("X-Kept");
    }

    @Test
    void endToEndHeadersAreNotHopByHop() {
        assertThat(HopByHopHeaders.isHopByHop("content-length")).isFalse();
        assertThat(HopByHopHeaders.isHopByHop("TRANSFER-ENCODING")).isTrue();
    }
}
