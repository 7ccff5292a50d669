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

    @Test
    void onlyHttp11AndHttp10AreServed() {
        for (String v : new String[] {"HTTP/2.0", "HTTP/0.9", "HTTP/1.2", "http/1.1"}) {
            HttpRequest r = new DefaultHttpRequest(HttpVersion.valueOf(v), HttpMethod.GET, "/x");
            r.headers().add("Host", "a");
            assertThat(RequestHeadRules.violation(r)).as(v).contains("Only HTTP/1.1 and HTTP/1.0");
        }
    }

    @Test
    void transferEncodingMustBeExactlyChunked() {
        for (String te : new String[] {"gzip, chunked", "identity,chunked", "chunked, chunked", "chunked,", "x"}) {
            assertThat(RequestHeadRules.violation(request(HttpVersion.HTTP_1_1, "Host", "a", "Transfer-Encoding", te)))
                    .as(te).contains("exactly chunked");
        }
        assertThat(RequestHeadRules.violation(request(HttpVersion.HTTP_1_1, "Host", "a", "Transfer-Encoding", "x",
                "Transfer-Encoding", "chunked"))).contains("exactly chunked");
        assertThat(RequestHeadRules.violation(request(HttpVersion.HTTP_1_1, "Host", "a", "Transfer-Encoding", "Chunked"))).isNull();
    }

    @Test
    void fieldNamesThatFoldToFramingFieldsAreRefused() {
        for (String name : new String[] {"Content_Length", "transfer_encoding", "Host_"}) {
            String v = RequestHeadRules.violation(request(HttpVersion.HTTP_1_1, "Host", "a", name, "5"));
            if (name.equals("Host_")) {
                assertThat(v).as(name).isNull(); // folds to "Host-", not a framing field
            } else {
                assertThat(v).as(name).contains("reads as");
            }
        }
        assertThat(RequestHeadRules.violation(request(HttpVersion.HTTP_1_1, "Host", "a", "X_Trace", "1"))).isNull();
    }

    @Test
    void twoContentLengthFieldsAreRefusedEvenWhenTheDecoderCollapsedThem() {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_0, HttpMethod.POST, "/x", DecodedRequestHeaders.FACTORY);
        r.headers().add("Content-Length", "5").add("content-length", "5");
        r.headers().set("Content-Length", "5"); // what the decoder leaves of an HTTP/1.0 request's two fields
        assertThat(r.headers().getAll("Content-Length")).hasSize(1);
        assertThat(RequestHeadRules.violation(r)).contains("more than one Content-Length");
    }
}
