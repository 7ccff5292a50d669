package io.idemgate.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
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

    @Test
    void readAsEmptyUntilTheFirstFieldAndThenAsTheFields() {
        HttpHeaders h = TrailerHeaders.FACTORY.newHeaders();
        assertThat(h.isEmpty()).isTrue();
        assertThat(h.size()).isZero();
        assertThat(h.get("X-A")).isNull();
        assertThat(h.iteratorCharSequence().hasNext()).isFalse();
        h.remove("X-A").clear();
        assertThat(h.copy().isEmpty()).isTrue();

        h.add("X-A", "1").add("x-a", "2").set("X-B", "3");

        assertThat(h.getAll("X-A")).containsExactly("1", "2");
        assertThat(h.size()).isEqualTo(3);
        assertThat(h.copy().entries()).hasToString(h.entries().toString());
        h.remove("x-b");
        assertThat(h.size()).isEqualTo(2);
    }

    @Test
    void aDecoderStillReadsChunkedTrailersIntoThemAndFixedLengthBodiesLeaveThemEmpty() {
        EmbeddedChannel ch = new EmbeddedChannel(new HttpRequestDecoder(
                new HttpDecoderConfig().setTrailersFactory(TrailerHeaders.FACTORY)));
        ch.writeInbound(Unpooled.copiedBuffer("POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nok"
                + "POST /b HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n"
                + "X-Checksum: abc\r\nX-Other: 1\r\n\r\n", StandardCharsets.US_ASCII));
        List<LastHttpContent> lasts = new ArrayList<>();
        for (Object m; (m = ch.readInbound()) != null; ) {
            if (m instanceof LastHttpContent last) {
                lasts.add(last);
            } else {
                ReferenceCountUtil.release(m);
            }
        }
        try {
            assertThat(lasts).hasSize(2);
            assertThat(lasts.get(0).trailingHeaders().isEmpty()).isTrue();
            assertThat(lasts.get(1).trailingHeaders().get("x-checksum")).isEqualTo("abc");
            assertThat(lasts.get(1).trailingHeaders().size()).isEqualTo(2);
        } finally {
            lasts.forEach(ReferenceCountUtil::release);
            ch.finishAndReleaseAll();
        }
    }
}
