package io.idemgate.gateway.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.InputStream;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class DeterministicBytesTest {

    @Test
    void streamBytesChunksAndHashAgree() throws Exception {
        int size = 200_003;
        byte[] all = DeterministicBytes.bytes(size);
        try (InputStream in = DeterministicBytes.stream(size)) {
            assertThat(in.readAllBytes()).isEqualTo(all);
        }
        ByteBuf chunk = DeterministicBytes.chunk(ByteBufAllocator.DEFAULT, 70_000, 10);
        try {
            byte[] part = new byte[10];
            chunk.readBytes(part);
            assertThat(part).isEqualTo(java.util.Arrays.copyOfRange(all, 70_000, 70_010));
        } finally {
            chunk.release();
        }
        assertThat(DeterministicBytes.sha256Hex(size))
                .isEqualTo(HexFormat.of().formatHex(DeterministicBytes.sha256().digest(all)));
    }

    @Test
    void isNotPeriodicAtChunkSizes() {
        assertThat(DeterministicBytes.sha256Hex(16 * 1024)).isNotEqualTo(DeterministicBytes.sha256Hex(16 * 1024 + 1));
        byte[] a = new byte[64];
        byte[] b = new byte[64];
        DeterministicBytes.fill(0, a, 0, 64);
        DeterministicBytes.fill(64 * 1024, b, 0, 64);
        assertThat(a).isNotEqualTo(b);
    }
}
