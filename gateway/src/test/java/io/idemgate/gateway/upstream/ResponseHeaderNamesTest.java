package io.idemgate.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResponseHeaderNamesTest {

    @Test
    void knownSpellingsAreSharedAndAnythingElseIsNot() {
        assertThat(known("Content-Type")).isSameAs(known("Content-Type")).hasToString("Content-Type");
        assertThat(known("content-length")).hasToString("content-length");
        assertThat(known("ETag")).hasToString("ETag");
        assertThat(known("Content-type")).isNull(); // byte for byte only: the client sees the upstream's spelling
        assertThat(known("X-Mine")).isNull();
        assertThat(known("")).isNull();
        assertThat(known("X".repeat(200))).isNull();
    }

    @Test
    void theDecoderKeepsEveryNameAsTheUpstreamSpelledIt() {
        EmbeddedChannel ch = new EmbeddedChannel(new UpstreamResponseDecoder(new HttpDecoderConfig()));
        try {
            List<String> names = new ArrayList<>();
            List<CharSequence> firstNames = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                ch.writeInbound(Unpooled.copiedBuffer("HTTP/1.1 200 OK\r\nServer: nginx\r\ncontent-type: a/b\r\n"
                        + "Content-type: c/d\r\nX-Mine: 1\r\nContent-Length: 0\r\n\r\n", StandardCharsets.US_ASCII));
                HttpResponse r = ch.readInbound();
                names.clear();
                List<CharSequence> these = new ArrayList<>();
                for (Map.Entry<CharSequence, CharSequence> e : (Iterable<Map.Entry<CharSequence, CharSequence>>) r.headers()::iteratorCharSequence) {
                    names.add(e.getKey().toString());
                    these.add(e.getKey());
                }
                if (i == 0) {
                    firstNames.addAll(these);
                } else {
                    assertThat((Object) these.get(0)).isSameAs(firstNames.get(0)); // "Server": shared
                    assertThat((Object) these.get(3)).isNotSameAs(firstNames.get(3)); // "X-Mine": Netty's own per line
                }
                ReferenceCountUtil.release(r);
                for (Object m; (m = ch.readInbound()) != null; ) {
                    ReferenceCountUtil.release(m);
                }
            }
            assertThat(names).containsExactly("Server", "content-type", "Content-type", "X-Mine", "Content-Length");
        } finally {
            ch.finishAndReleaseAll();
        }
    }

    private static Object known(String name) { // Object: AsciiString is both a CharSequence and Comparable to AssertJ
        byte[] bytes = ("  " + name).getBytes(StandardCharsets.US_ASCII);
        return ResponseHeaderNames.known(bytes, 2, name.length());
    }
}
