package io.idemgate.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;

class ForwardedHeadersTest {

    private final ForwardedHeaders forwarded = new ForwardedHeaders("idemgate");

    @Test
    void responsesGetVia() {
        HttpHeaders h = new DefaultHttpHeaders();
        forwarded.applyToResponse(h);
        assertThat(h.get("Via")).isEqualTo("1.1 idemgate");
    }
}
