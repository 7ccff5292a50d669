package io.idemgate.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;

class DecodedRequestHeadersTest {

    @Test
    void getAllAnswersAsNettysHeadersDoForNoneOneAndMany() {
        HttpHeaders decoded = DecodedRequestHeaders.FACTORY.newHeaders();
        HttpHeaders netty = new DefaultHttpHeaders();
        for (HttpHeaders h : new HttpHeaders[] {decoded, netty}) {
            h.add("Host", "a.example").add("X-Two", "1").add("x-two", "2").add("Content-Length", "5");
        }
        for (String name : new String[] {"host", "HOST", "X-Two", "content-length", "absent"}) {
            assertThat(decoded.getAll(name)).as(name).isEqualTo(netty.getAll(name));
            assertThat(decoded.getAll((CharSequence) name)).as(name).isEqualTo(netty.getAll(name));
        }
        assertThat(((DecodedRequestHeaders) decoded).contentLengthFields()).isEqualTo(1);
    }
}
