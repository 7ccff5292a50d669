package io.idemgate.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.idemgate.gateway.idempotency.BodyChunks;
import io.idemgate.gateway.idempotency.StoredResponse;
import io.idemgate.gateway.testsupport.DeterministicBytes;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ResponseRecorderTest {

    @Test
    void aSmallBodyIsOneChunkOfExactlyItsSize() {
        ResponseRecorder recorder = recorder(1 << 20);
        record(recorder, "hello ".getBytes());
        record(recorder, "world".getBytes());

        BodyChunks body = body(recorder);
        assertThat(body.chunkCount()).isEqualTo(1);
        assertThat(body.chunkNow(0)).isEqualTo("hello world".getBytes());
    }

    @Test
    void aLargeBodyIsSplitIntoFullChunksWhateverTheSizeOfTheContentsThatBroughtIt() {
        byte[] original = DeterministicBytes.bytes(5 * BodyChunks.CHUNK_SIZE + 17);
        ResponseRecorder recorder = recorder(8L << 20);
        // Odd content sizes that straddle chunk boundaries, as a network delivers them.
        for (int at = 0; at < original.length; ) {
            int n = Math.min(original.length - at, 10_007);
            record(recorder, Arrays.copyOfRange(original, at, at + n));
            at += n;
        }

        BodyChunks body = body(recorder);
        assertThat(body.chunkCount()).isEqualTo(6);
        for (int i = 0; i < 5; i++) {
            assertThat(body.chunkNow(i)).hasSize(BodyChunks.CHUNK_SIZE);
        }
        assertThat(body.chunkNow(5)).hasSize(17);
        assertThat(body.toByteArray()).isEqualTo(original);
    }

    @Test
    void oneContentLargerThanAChunkIsSplitToo() {
        byte[] original = DeterministicBytes.bytes(2 * BodyChunks.CHUNK_SIZE + 1);
        ResponseRecorder recorder = recorder(1 << 20);
        record(recorder, original);

        BodyChunks body = body(recorder);
        assertThat(body.chunkCount()).isEqualTo(3);
        assertThat(body.toByteArray()).isEqualTo(original);
    }

    @Test
    void aBodyOfExactlyOneChunkIsOneChunk() {
        ResponseRecorder recorder = recorder(1 << 20);
        record(recorder, DeterministicBytes.bytes(BodyChunks.CHUNK_SIZE));

        assertThat(body(recorder).chunkCount()).isEqualTo(1);
    }

    @Test
    void aBodyOverTheLimitIsOmittedAndNothingOfItIsKept() {
        ResponseRecorder recorder = recorder(BodyChunks.CHUNK_SIZE + 10);
        record(recorder, DeterministicBytes.bytes(BodyChunks.CHUNK_SIZE));
        record(recorder, new byte[11]);

        StoredResponse stored = recorder.toStoredResponse();
        assertThat(stored.bodyOmitted()).isTrue();
        assertThat(stored.body().length()).isZero();
    }

    @Test
    void anEmptyBodyHasNoChunks() {
        assertThat(body(recorder(100)).chunkCount()).isZero();
    }

    private static ResponseRecorder recorder(long maxBody) {
        ResponseRecorder recorder = new ResponseRecorder(maxBody);
        recorder.head(200, new DefaultHttpHeaders());
        return recorder;
    }

    private static void record(ResponseRecorder recorder, byte[] bytes) {
        ByteBuf content = Unpooled.wrappedBuffer(bytes);
        try {
            recorder.content(content);
            assertThat(content.readerIndex()).isZero();
        } finally {
            content.release();
        }
    }

    private static BodyChunks body(ResponseRecorder recorder) {
        StoredResponse stored = recorder.toStoredResponse();
        assertThat(stored.bodyOmitted()).isFalse();
        return (BodyChunks) stored.body();
    }
}
