package io.idemgate.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

class RequestHeadRulesTest {

    private static HttpRequest request(HttpVersion version, String... headers) {
        HttpRequest r = new DefaultHttpRequest(version, HttpMethod.POST, "/x");
        for (int i = 0; i < headers.length; i += 2) {
            r.headers().add(headers[i], headers[i + 1]);
        }
        return r;
    }

    @Test
    void anOrdinaryRequestPasses() {
        assertThat(RequestHeadRules.violation(request(HttpVersion.HTTP_1_1, "Host", "api.example:8080",
                "Connection", "keep-alive, X-Trace"))).isNull();
    }

    @Test
    void connectionNamingAFramingFieldIsRefused() {
        for (String field : new String[] {"Content-Length", "transfer-encoding", "HOST"}) {
            assertThat(RequestHeadRules.violation(request(HttpVersion.HTTP_1_1, "Host", "a", "Connection", "close, " + field)))
                    .as(field).isNotNull();
        }
    }

    @Test
    void http11NeedsExactlyOneHost() {
        assertThat(RequestHeadRules.violation(request(HttpVersion.HTTP_1_1))).contains("must carry a Host");
        assertThat(RequestHeadRules.violation(request(HttpVersion.HTTP_1_1, "Host", "a", "Host", "b")))
                .contains("more than one Host");
        assertThat(RequestHeadRules.violation(request(HttpVersion.HTTP_1_0))).isNull();
        assertThat(RequestHeadRules.violation(request(HttpVersion.HTTP_1_0, "Host", "a", "Host", "a"))).isNotNull();
    }

    @Test
    void hostMustBeAHostAndPort() {
        for (String bad : new String[] {"user@a", "a/b", "a:80x", "a b", "[zz]", "a:123456"}) {
            assertThat(RequestHeadRules.violation(request(HttpVersion.HTTP_1_1, "Host", bad))).as(bad).isNotNull();
        }
        for (String good : new String[] {"", "a", "a:1", "[::1]:8080", "10.0.0.1", "xn--bcher-kva.example"}) {
            assertThat(RequestHeadRules.violation(request(HttpVersion.HTTP_1_1, "Host", good))).as(good).isNull();
        }
    }
}
