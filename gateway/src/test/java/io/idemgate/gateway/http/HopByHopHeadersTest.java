package io.idemgate.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.util.ArrayList;
import java.util.List;
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
    void connectionOptionsReadTheTokensAsSplitAndTrimDid() {
        String[] values = {"close", "keep-alive", " Keep-Alive ", "close, X-Hop", "x-a,,x-b", ",", " , close ,",
            "X-Hop\t", "upgrade", "closer", "keep-alive-x", "", "a , b , c"};
        for (String value : values) {
            // Unvalidated, so values with the whitespace the decoder would trim off still reach the tokenizer.
            HttpHeaders h = DefaultHttpHeadersFactory.headersFactory().withValidation(false).newHeaders()
                    .add("Connection", value).add("Connection", "X-Second, close");
            assertThat(HopByHopHeaders.connectionOptions(h)).as(value).isEqualTo(splitAndTrim(h.getAll("Connection")));
        }
        assertThat(HopByHopHeaders.connectionOptions(new DefaultHttpHeaders())).isEmpty();
    }

    /** The reading before the tokenizer: what it must keep giving. */
    private static List<String> splitAndTrim(List<String> values) {
        List<String> names = new ArrayList<>();
        for (String value : values) {
            for (String token : value.split(",")) {
                String t = token.trim();
                if (!t.isEmpty() && !"close".equalsIgnoreCase(t) && !"keep-alive".equalsIgnoreCase(t)) {
                    names.add(t);
                }
            }
        }
        return names;
    }

    @Test
    void strippingWhileReadingConnectionAgreesWithStripAndWithHttpUtilKeepAlive() {
        String[][] fields = {{}, {"keep-alive"}, {"close"}, {" Keep-Alive "}, {"CLOSE, X-Hop"}, {"x-a,,x-b"},
            {"keep-alive", "close"}, {"closer"}, {"keep-alive-x"}, {""}, {",", " , close ,"}, {"X-Hop\t", "upgrade"}};
        for (HttpVersion version : new HttpVersion[] {HttpVersion.HTTP_1_1, HttpVersion.HTTP_1_0}) {
            for (String[] values : fields) {
                HttpResponse read = response(version, values);
                HttpResponse stripped = response(version, values);
                boolean keepAlive = HttpUtil.isKeepAlive(stripped);
                HopByHopHeaders.strip(stripped.headers());

                int seen = HopByHopHeaders.stripReadingConnection(read.headers());

                String as = version + " " + String.join(" | ", values);
                assertThat(read.headers().entries()).as(as).hasToString(stripped.headers().entries().toString());
                assertThat((seen & HopByHopHeaders.CLOSE) == 0
                        && (version.isKeepAliveDefault() || (seen & HopByHopHeaders.KEEP_ALIVE) != 0))
                        .as(as).isEqualTo(keepAlive);
            }
        }
    }

    private static HttpResponse response(HttpVersion version, String... connection) {
        HttpHeaders h = DefaultHttpHeadersFactory.headersFactory().withValidation(false).newHeaders();
        for (String value : connection) {
            h.add("Connection", value);
        }
        h.add("X-Hop", "1").add("X-A", "2").add("X-B", "3").add("Upgrade", "h2c").add("Content-Length", "4")
                .add("Keep-Alive", "timeout=5").add("Closer", "5");
        return new DefaultHttpResponse(version, HttpResponseStatus.OK, h);
    }

    @Test
    void endToEndHeadersAreNotHopByHop() {
        assertThat(HopByHopHeaders.isHopByHop("content-length")).isFalse();
        assertThat(HopByHopHeaders.isHopByHop("TRANSFER-ENCODING")).isTrue();
    }
}
