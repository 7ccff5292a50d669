package io.idemgate.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class ForwardedHeadersTest {

    private final ForwardedHeaders forwarded = new ForwardedHeaders("idemgate");

    @Test
    void appendsClientToExistingForwardedForAndSetsProtoHostVia() {
        HttpHeaders h = new DefaultHttpHeaders()
                .add("Host", "api.example.com")
                .add("X-Forwarded-For", "203.0.113.7")
                .add("X-Forwarded-Proto", "spoofed")
                .add("Via", "1.1 edge");
        forwarded.applyToRequest(h, new InetSocketAddress("127.0.0.5", 40000), "http");
        assertThat(h.get("X-Forwarded-For")).isEqualTo("203.0.113.7, 127.0.0.5");
        assertThat(h.get("X-Forwarded-Proto")).isEqualTo("http");
        assertThat(h.get("X-Forwarded-Host")).isEqualTo("api.example.com");
        assertThat(h.get("Via")).isEqualTo("1.1 edge, 1.1 idemgate");
    }

    @Test
    void responsesGetVia() {
        HttpHeaders h = new DefaultHttpHeaders();
        forwarded.applyToResponse(h);
        assertThat(h.get("Via")).isEqualTo("1.1 idemgate");
    }
}
