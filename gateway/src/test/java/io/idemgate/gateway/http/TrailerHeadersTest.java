package io.idemgate.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;

class TrailerHeadersTest {

    @Test
    void validateAsNettysTrailersDo() {
        HttpHeaders h = TrailerHeaders.FACTORY.newHeaders();
        assertThatThrownBy(() -> h.add("Content-Length", "5")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> h.add("Transfer-Encoding", "chunked")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> h.add("X Bad", "1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> h.add("X-Ok", "a\r\nb")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void takeAnyNumberOfFields() {
        HttpHeaders h = TrailerHeaders.FACTORY.newHeaders();
        for (int i = 0; i < 100; i++) {
            h.add("X-Checksum-" + i, Integer.toString(i));
        }
        assertThat(h.size()).isEqualTo(100);
        assertThat(h.get("x-checksum-57")).isEqualTo("57");
    }
}
