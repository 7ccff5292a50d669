package io.idemgate.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.idemgate.gateway.http.ForwardedHeaders;
import io.idemgate.gateway.http.UpstreamRequestHead;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.EncoderException;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class UpstreamHttpCodecTest {

    private final EmbeddedChannel ch = new EmbeddedChannel(new UpstreamHttpCodec(new HttpDecoderConfig()));

    @AfterEach
    void close() {
        ch.finishAndReleaseAll();
    }

    @Test
    void aBodyUnderContentLengthGoesAsItIs() {
        ch.writeOutbound(head(HttpMethod.POST, false, 5), content("abc"), last("de"));
        String sent = sent();
        assertThat(sent).startsWith("POST /x HTTP/1.1\r\nHost: h\r\ncontent-length: 5\r\n").endsWith("\r\n\r\nabcde");
    }

    @Test
    void aChunkedBodyIsFramedAsChunksAndItsTrailersAreNotForwarded() {
        DefaultLastHttpContent last = last("de");
        last.trailingHeaders().add("X-Sum", "1");
        ch.writeOutbound(head(HttpMethod.POST, true, -1), content("abc"), content(""), last);
        String sent = sent();
        assertThat(sent).contains("transfer-encoding: chunked\r\n").endsWith("\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
        assertThat(sent).doesNotContain("X-Sum");
    }

    @Test
    void neverMoreNorFewerBodyBytesThanTheContentLengthWritten() {
        ch.writeOutbound(head(HttpMethod.POST, false, 2));
        sent();
        assertThatThrownBy(() -> ch.writeOutbound(content("abc"))).isInstanceOf(EncoderException.class);
        assertThat(ch.outboundMessages()).isEmpty(); // refused before a byte left
        assertThatThrownBy(() -> ch.writeOutbound(last("a"))).isInstanceOf(EncoderException.class);
        assertThat(ch.outboundMessages()).isEmpty();
        EmbeddedChannel none = new EmbeddedChannel(new UpstreamHttpCodec(new HttpDecoderConfig()));
        none.writeOutbound(head(HttpMethod.GET, false, -1));
        assertThatThrownBy(() -> none.writeOutbound(last("x"))).isInstanceOf(EncoderException.class);
        none.finishAndReleaseAll();
    }

    @Test
    void aBodyWithNoHeadOrAHeadOverAnUnfinishedBodyIsRefused() {
        assertThatThrownBy(() -> ch.writeOutbound(last("x"))).isInstanceOf(EncoderException.class);
        ch.writeOutbound(head(HttpMethod.POST, true, -1));
        sent();
        assertThatThrownBy(() -> ch.writeOutbound(head(HttpMethod.POST, false, 0))).isInstanceOf(EncoderException.class);
        assertThat(ch.outboundMessages()).isEmpty();
    }

    @Test
    void aResponseToHeadHasNoBodyWhateverItsHeadersSay() {
        ch.writeOutbound(head(HttpMethod.HEAD, false, -1), LastHttpContent.EMPTY_LAST_CONTENT);
        ch.writeOutbound(head(HttpMethod.GET, false, -1), LastHttpContent.EMPTY_LAST_CONTENT);
        sent();
        ch.writeInbound(Unpooled.copiedBuffer("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", StandardCharsets.US_ASCII));
        List<HttpObject> got = new ArrayList<>();
        for (Object m; (m = ch.readInbound()) != null; ) {
            got.add((HttpObject) m);
        }
        try {
            assertThat(got).hasSize(4);
            assertThat(got.get(0)).isInstanceOf(HttpResponse.class);
            assertThat(((LastHttpContent) got.get(1)).content().readableBytes()).isZero();
            assertThat(got.get(2)).isInstanceOf(HttpResponse.class);
            assertThat(((LastHttpContent) got.get(3)).content().toString(StandardCharsets.US_ASCII)).isEqualTo("ok");
        } finally {
            got.forEach(ReferenceCountUtil::release);
        }
    }

    private static UpstreamRequestHead head(HttpMethod method, boolean chunked, long length) {
        DefaultHttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, "/x", new DefaultHttpHeaders().add("Host", "h"));
        return new UpstreamRequestHead(r, "/x", chunked, length, null, "up:80", null, "http", new ForwardedHeaders("idemgate"));
    }

    private static HttpContent content(String s) {
        return new DefaultHttpContent(Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII));
    }

    private static DefaultLastHttpContent last(String s) {
        return new DefaultLastHttpContent(Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII));
    }

    private String sent() {
        StringBuilder out = new StringBuilder();
        for (Object m; (m = ch.readOutbound()) != null; ) {
            ByteBuf b = (ByteBuf) m;
            out.append(b.toString(StandardCharsets.ISO_8859_1));
            b.release();
        }
        return out.toString();
    }
}
