package io.idemgate.gateway.warmup;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HttpBytesTest {

    private static final String RESPONSE = "HTTP/1.1 201 Created\r\nServer: nginx\r\ncontent-LENGTH:  12\r\n"
            + "Idempotent-Replayed: true\r\nConnection: Close\r\n\r\n{\"id\":\"o1\"}\n";

    @Test
    void readsTheHeadOfAResponseAfterAnEarlierOne() {
        String earlier = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
        ByteBuf buf = ascii(earlier + RESPONSE);
        try {
            int from = earlier.length();
            int headEnd = HttpBytes.headEnd(buf, from);
            assertThat(headEnd).isEqualTo(from + RESPONSE.indexOf("\r\n\r\n") + 4);
            assertThat(HttpBytes.status(buf, from)).isEqualTo(201);
            assertThat(HttpBytes.contentLength(buf, from, headEnd)).isEqualTo(12);
            assertThat(HttpBytes.hasHeader(buf, from, headEnd, AsciiString.cached("idempotent-replayed"))).isTrue();
            assertThat(HttpBytes.hasHeader(buf, from, headEnd, AsciiString.cached("connection"),
                    AsciiString.cached("close"))).isTrue();
            assertThat(HttpBytes.hasHeader(buf, from, headEnd, AsciiString.cached("server"),
                    AsciiString.cached("close"))).isFalse();
            assertThat(HttpBytes.hasHeader(buf, from, headEnd, AsciiString.cached("date"))).isFalse();
        } finally {
            buf.release();
        }
    }

    @Test
    void aHeadNotYetCompleteHasNoEndAndAHeadWithoutLengthHasNoBody() {
        ByteBuf partial = ascii("POST /v1/orders HTTP/1.1\r\nHost: a\r\n");
        ByteBuf bodyless = ascii("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        try {
            assertThat(HttpBytes.headEnd(partial, 0)).isEqualTo(-1);
            int headEnd = HttpBytes.headEnd(bodyless, 0);
            assertThat(headEnd).isEqualTo(bodyless.writerIndex());
            assertThat(HttpBytes.contentLength(bodyless, 0, headEnd)).isZero();
        } finally {
            partial.release();
            bodyless.release();
        }
    }

    private static ByteBuf ascii(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
    }
}
