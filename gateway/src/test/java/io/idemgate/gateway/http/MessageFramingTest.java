package io.idemgate.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

class MessageFramingTest {

    @Test
    void contentLengthIsKeptOnlyWhenItIsExactlyTheLengthTheBodyWasReadBy() {
        assertThat(MessageFraming.readsExactly(withLength("200"), 200)).isTrue();
        assertThat(MessageFraming.readsExactly(withLength("0"), 0)).isTrue();
        assertThat(MessageFraming.readsExactly(withLength("0200"), 200)).isFalse();
        assertThat(MessageFraming.readsExactly(withLength("+200"), 200)).isFalse();
        assertThat(MessageFraming.readsExactly(withLength("201"), 200)).isFalse();
        assertThat(MessageFraming.readsExactly(withLength("2 0"), 200)).isFalse();
        assertThat(MessageFraming.readsExactly(withLength("9999999999999999999"), 200)).isFalse();
        assertThat(MessageFraming.readsExactly(withLength("200").add("Content-Length", "200"), 200)).isFalse();
        assertThat(MessageFraming.readsExactly(new DefaultHttpHeaders(), 0)).isFalse();
    }

    @Test
    void theUpstreamGetsOneCanonicalContentLengthWhateverTheClientWrote() {
        for (String sent : new String[] {"41", "041", "41.0", "7"}) {
            HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_0, HttpMethod.POST, "/x", withLength(sent));
            MessageFraming.forUpstream(r, "/x", false, 41, null, "up:80");
            assertThat(r.headers().getAll("Content-Length")).as(sent).containsExactly("41");
            assertThat(r.protocolVersion()).isEqualTo(HttpVersion.HTTP_1_1);
        }
    }

    private static HttpHeaders withLength(String value) {
        return new DefaultHttpHeaders().add("Host", "h").add("Content-Length", value);
    }
}
