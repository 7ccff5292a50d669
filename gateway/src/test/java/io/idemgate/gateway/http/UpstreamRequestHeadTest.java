package io.idemgate.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * The upstream request head the gateway writes itself, against the head it wrote before by editing the
 * decoded request's header table and letting Netty's encoder write it ({@link #reference}): the same
 * request line and, name by name, the same field values in the same order.
 */
class UpstreamRequestHeadTest {

    private static final ForwardedHeaders FORWARDED = new ForwardedHeaders("idemgate");
    private static final ByteBufAllocator ALLOC = UnpooledByteBufAllocator.DEFAULT;

    @Test
    void writesTheClientsFieldsThenFramingThenForwardingFields() {
        HttpRequest r = request(HttpVersion.HTTP_1_1, "Host", "api.example.com", "Content-Length", "200",
                "Content-Type", "application/json", "Connection", "keep-alive", "Expect", "100-continue");
        assertThat(write(r, "/v1/orders", false, 200, null, "up:80", "127.0.0.5", "http")).isEqualTo(
                "POST /v1/orders HTTP/1.1\r\n"
                        + "Host: api.example.com\r\n"
                        + "Content-Type: application/json\r\n"
                        + "content-length: 200\r\n"
                        + "x-forwarded-for: 127.0.0.5\r\n"
                        + "x-forwarded-proto: http\r\n"
                        + "x-forwarded-host: api.example.com\r\n"
                        + "via: 1.1 idemgate\r\n\r\n");
    }

    @Test
    void appendsClientToExistingForwardedForAndViaAndOverwritesProtoAndHost() {
        HttpRequest r = request(HttpVersion.HTTP_1_1, "Host", "api.example.com", "X-Forwarded-For", "203.0.113.7",
                "X-Forwarded-Proto", "spoofed", "X-Forwarded-Host", "spoofed.example", "Via", "1.1 edge");
        Map<String, List<String>> f = fields(write(r, "/x", false, -1, null, "up:80", "127.0.0.5", "https"));
        assertThat(f.get("x-forwarded-for")).containsExactly("203.0.113.7, 127.0.0.5");
        assertThat(f.get("x-forwarded-proto")).containsExactly("https");
        assertThat(f.get("x-forwarded-host")).containsExactly("api.example.com");
        assertThat(f.get("via")).containsExactly("1.1 edge, 1.1 idemgate");
        assertThat(f).doesNotContainKey("content-length");
    }

    @Test
    void theUpstreamGetsOneCanonicalContentLengthWhateverTheClientWrote() {
        for (String sent : new String[] {"41", "041", "41.0", "7"}) {
            HttpRequest r = request(HttpVersion.HTTP_1_0, "Host", "h", "Content-Length", sent);
            String head = write(r, "/x", false, 41, null, "up:80", null, "http");
            assertThat(fields(head).get("content-length")).as(sent).containsExactly("41");
            assertThat(head).startsWith("POST /x HTTP/1.1\r\n");
        }
        HttpRequest chunked = request(HttpVersion.HTTP_1_1, "Host", "h", "Transfer-Encoding", "chunked", "Content-Length", "3");
        Map<String, List<String>> f = fields(write(chunked, "/x", true, -1, null, "up:80", null, "http"));
        assertThat(f.get("transfer-encoding")).containsExactly("chunked");
        assertThat(f).doesNotContainKey("content-length");
    }

    @Test
    void hopByHopFieldsAndFieldsNamedInConnectionAreNotForwarded() {
        HttpRequest r = request(HttpVersion.HTTP_1_1, "Host", "h", "Connection", "close, X-Internal-Hop",
                "connection", "x-forwarded-for, Via", "X-Internal-Hop", "1", "Keep-Alive", "timeout=5",
                "Proxy-Connection", "keep-alive", "TE", "trailers", "Trailer", "X-Sum", "Upgrade", "websocket",
                "Proxy-Authorization", "Basic abc", "Proxy-Authenticate", "Basic", "X-Forwarded-For", "10.0.0.1",
                "Via", "1.1 edge", "X-Kept", "3");
        Map<String, List<String>> f = fields(write(r, "/x", false, -1, null, "up:80", "127.0.0.5", "http"));
        assertThat(f.keySet()).containsExactly("host", "x-kept", "x-forwarded-for", "x-forwarded-proto",
                "x-forwarded-host", "via");
        assertThat(f.get("x-forwarded-for")).containsExactly("127.0.0.5");
        assertThat(f.get("via")).containsExactly("1.1 idemgate");
        for (String name : new String[] {"connection", "keep-alive", "proxy-connection", "proxy-authenticate",
            "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade"}) {
            assertThat(UpstreamRequestHead.role(name.toUpperCase(Locale.ROOT))).as(name).isEqualTo(1);
            assertThat(HopByHopHeaders.isHopByHop(name)).as(name).isTrue();
        }
    }

    @Test
    void anAbsoluteFormTargetsAuthorityIsTheHostAndAMissingHostIsTheUpstreams() {
        HttpRequest r = request(HttpVersion.HTTP_1_1, "Host", "client.example");
        Map<String, List<String>> f = fields(write(r, "/x", false, -1, "target.example", "up:80", null, "http"));
        assertThat(f.get("host")).containsExactly("target.example");
        assertThat(f.get("x-forwarded-host")).containsExactly("target.example");
        HttpRequest none = request(HttpVersion.HTTP_1_0, "Accept", "*/*");
        f = fields(write(none, "/x", false, -1, null, "up:80", null, "http"));
        assertThat(f.get("host")).containsExactly("up:80");
        assertThat(f.get("x-forwarded-host")).containsExactly("up:80");
    }

    @Test
    void obsTextIsForwardedAsTheBytesNettysEncoderWrote() {
        HttpRequest r = request(HttpVersion.HTTP_1_1, "Host", "h", "X-Name", "caf\u00e9 \u00ff\tz");
        String mine = write(r, "/x", false, -1, null, "up:80", null, "http");
        assertThat(mine).contains("X-Name: caf\u00e9 \u00ff\tz\r\n");
        assertThat(mine).isEqualTo(reference(r, "/x", false, -1, null, "up:80", null, "http")); // same order here
    }

    @Test
    void aPieceThatCouldAddOrSplitALineIsRefused() {
        HttpHeaders unchecked = new DefaultHttpHeaders(false);
        unchecked.add("Host", "h");
        unchecked.add("X-Evil", "a\r\nContent-Length: 5");
        HttpRequest evilValue = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/", unchecked);
        assertThatThrownBy(() -> write(evilValue, "/", false, -1, null, "up:80", null, "http"))
                .isInstanceOf(IllegalArgumentException.class);
        for (String value : new String[] {"a\nb", "a\rb", "a\u0000b", "a\u007fb", "a\u0100b"}) {
            HttpHeaders h = new DefaultHttpHeaders(false).add("Host", "h").add("X-V", value);
            HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/", h);
            assertThatThrownBy(() -> write(r, "/", false, -1, null, "up:80", null, "http")).as(value)
                    .isInstanceOf(IllegalArgumentException.class);
        }
        for (String name : new String[] {"X Evil", "X:Evil", "X\r\nEvil"}) {
            HttpHeaders h = new DefaultHttpHeaders(false).add("Host", "h").add(name, "v");
            HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/", h);
            assertThatThrownBy(() -> write(r, "/", false, -1, null, "up:80", null, "http")).as(name)
                    .isInstanceOf(IllegalArgumentException.class);
        }
        HttpRequest ok = request(HttpVersion.HTTP_1_1, "Host", "h");
        for (String uri : new String[] {"/a b", "/a\r\nX: y", ""}) {
            assertThatThrownBy(() -> write(ok, uri, false, -1, null, "up:80", null, "http")).as(uri)
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> write(ok, "/", false, -1, null, "up:80", "1.2.3.4\r\nX: y", "http"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Property(tries = 2000)
    void sameHeadAsEditingTheTableAndLettingNettyEncodeIt(@ForAll("fieldLists") List<String[]> fieldList,
                                                         @ForAll("framings") long framing,
                                                         @ForAll boolean absolute, @ForAll boolean ipConnection,
                                                         @ForAll boolean http11) {
        List<String> flat = new ArrayList<>();
        for (String[] f : fieldList) {
            flat.add(f[0]);
            flat.add(f[1]);
        }
        boolean chunked = framing == -2;
        long length = chunked ? -1 : framing;
        HttpRequest mine = request(http11 ? HttpVersion.HTTP_1_1 : HttpVersion.HTTP_1_0, flat.toArray(String[]::new));
        HttpRequest theirs = request(http11 ? HttpVersion.HTTP_1_1 : HttpVersion.HTTP_1_0, flat.toArray(String[]::new));
        String host = absolute ? "target.example:8443" : null;
        String ip = ipConnection ? "192.0.2.9" : null;
        String written = write(mine, "/p?q=1", chunked, length, host, "up:80", ip, "https");
        String expected = reference(theirs, "/p?q=1", chunked, length, host, "up:80", ip, "https");
        assertThat(firstLine(written)).isEqualTo(firstLine(expected));
        assertThat(fields(written)).isEqualTo(fields(expected));
        assertThat(written).endsWith("\r\n\r\n");
    }

    @Provide
    Arbitrary<List<String[]>> fieldLists() {
        Arbitrary<String> names = Arbitraries.of("Host", "host", "Content-Length", "Transfer-Encoding", "Connection",
                "connection", "Keep-Alive", "TE", "Trailer", "Upgrade", "Proxy-Connection", "Proxy-Authorization",
                "Expect", "X-Forwarded-For", "x-forwarded-for", "X-Forwarded-Proto", "X-Forwarded-Host", "Via", "VIA",
                "Content-Type", "Authorization", "Idempotency-Key", "X-Hop", "Accept", "Cookie");
        Arbitrary<String> values = Arbitraries.of("a", "1.1 edge", "203.0.113.7", "", "close", "keep-alive",
                "X-Hop", "x-forwarded-for, via", "Cookie", "chunked", "100-continue", "caf\u00e9", "v\tw", "h.example");
        return Combinators.combine(names, values).as((n, v) -> new String[] {n, v}).list().ofMaxSize(12);
    }

    @Provide
    Arbitrary<Long> framings() {
        return Arbitraries.of(-2L, -1L, 0L, 7L, 1234567890123L);
    }

    private static HttpRequest request(HttpVersion version, String... nameValues) {
        HttpHeaders h = new DefaultHttpHeaders();
        for (int i = 0; i < nameValues.length; i += 2) {
            h.add(nameValues[i], nameValues[i + 1]);
        }
        return new DefaultHttpRequest(version, HttpMethod.POST, "/raw", h);
    }

    private static String write(HttpRequest r, String uri, boolean chunked, long length, String host, String fallback,
                                String ip, String scheme) {
        ByteBuf b = new UpstreamRequestHead(r, uri, chunked, length, host, fallback, ip, scheme, FORWARDED)
                .encode(new HeadBuilder(), ALLOC);
        try {
            return b.toString(StandardCharsets.ISO_8859_1);
        } finally {
            b.release();
        }
    }

    /** The head as the gateway wrote it before: the decoded request's table edited, then Netty's encoder. */
    private static String reference(HttpRequest request, String uri, boolean chunked, long length, String host,
                                    String fallbackHost, String clientIp, String scheme) {
        HttpHeaders h = request.headers();
        HopByHopHeaders.strip(h);
        h.remove(HttpHeaderNames.EXPECT);
        if (chunked) {
            h.remove(HttpHeaderNames.CONTENT_LENGTH);
            h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        } else if (length >= 0) {
            h.set(HttpHeaderNames.CONTENT_LENGTH, length);
        } else {
            h.remove(HttpHeaderNames.CONTENT_LENGTH);
        }
        if (host != null) {
            h.set(HttpHeaderNames.HOST, host);
        } else if (!h.contains(HttpHeaderNames.HOST)) {
            h.set(HttpHeaderNames.HOST, fallbackHost);
        }
        request.setProtocolVersion(HttpVersion.HTTP_1_1);
        request.setUri(uri);
        if (clientIp != null) {
            String prior = h.get(ForwardedHeaders.X_FORWARDED_FOR);
            h.set(ForwardedHeaders.X_FORWARDED_FOR, prior == null || prior.isBlank() ? clientIp : prior + ", " + clientIp);
        }
        h.set(ForwardedHeaders.X_FORWARDED_PROTO, scheme);
        String xfh = h.get(HttpHeaderNames.HOST);
        if (xfh != null) {
            h.set(ForwardedHeaders.X_FORWARDED_HOST, xfh);
        }
        String via = h.get(HttpHeaderNames.VIA);
        h.set(HttpHeaderNames.VIA, via == null ? FORWARDED.via() : via + ", " + FORWARDED.via());
        EmbeddedChannel encoder = new EmbeddedChannel(new HttpRequestEncoder());
        encoder.writeOutbound(request);
        StringBuilder out = new StringBuilder();
        ByteBuf b;
        while ((b = encoder.readOutbound()) != null) {
            out.append(b.toString(StandardCharsets.ISO_8859_1));
            b.release();
        }
        encoder.finishAndReleaseAll();
        return out.toString();
    }

    private static String firstLine(String head) {
        return head.substring(0, head.indexOf("\r\n"));
    }

    /** Field values by lower-case name, names in first-seen order, values in their order. */
    private static Map<String, List<String>> fields(String head) {
        Map<String, List<String>> f = new LinkedHashMap<>();
        String[] lines = head.substring(head.indexOf("\r\n") + 2, head.indexOf("\r\n\r\n") + 2).split("\r\n", -1);
        for (String line : lines) {
            if (line.isEmpty()) {
                continue;
            }
            int colon = line.indexOf(':');
            f.computeIfAbsent(line.substring(0, colon).toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(line.substring(colon + 2));
        }
        return f;
    }
}
