package io.idemgate.gateway.store.redis;

import static io.idemgate.gateway.store.redis.RecordCodec.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.idemgate.gateway.idempotency.BodyChunks;
import io.idemgate.gateway.idempotency.IdempotencyRecord.Completed;
import io.idemgate.gateway.idempotency.IdempotencyRecord.InFlight;
import io.idemgate.gateway.idempotency.StoredBody;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecordCodecTest {

    @Test
    void headersKeepTheirOrderRepeatsAndQuotes() {
        List<Map.Entry<String, String>> headers = List.of(Map.entry("Set-Cookie", "a=1"),
                Map.entry("Set-Cookie", "b=\"2\"; Path=/"), Map.entry("X-Ünïcode", "✓"));

        assertThat(RecordCodec.decodeHeaders(RecordCodec.encodeHeaders(headers))).isEqualTo(headers);
    }

    @Test
    void anInFlightHashBecomesAnInFlightRecord() {
        Map<String, byte[]> hash = base("inflight");
        hash.put("owner", bytes("gw1/x"));
        hash.put("lease_until", bytes(2_000));

        assertThat(RecordCodec.decode(hash)).isEqualTo(new InFlight("fp", 3, "gw1/x", Instant.ofEpochMilli(2_000),
                Instant.ofEpochMilli(1_000)));
    }

    @Test
    void aCompletedHashWithoutItsBodyDecodesToAnEmptyBody() {
        Map<String, byte[]> hash = base("completed");
        hash.put("status", bytes(204));
        hash.put("headers", bytes("[]"));
        hash.put("omitted", bytes("1"));
        hash.put("completed", bytes(1_500));
        hash.put("expires", bytes(9_000));

        Completed completed = (Completed) RecordCodec.decode(hash);
        assertThat(completed.response().body().length()).isZero();
        assertThat(completed.response().bodyOmitted()).isTrue();
        assertThat(completed.expiresAt()).isEqualTo(Instant.ofEpochMilli(9_000));
    }

    @Test
    void anotherFormatVersionIsRefusedRatherThanMisread() {
        Map<String, byte[]> hash = base("inflight");
        hash.put("v", bytes("3"));

        assertThatThrownBy(() -> RecordCodec.decode(hash)).hasMessageContaining("format version 3");
    }

    @Test
    void aVersionOneBodyLargerThanAChunkIsReadInline() {
        byte[] body = new byte[BodyChunks.CHUNK_SIZE * 2 + 3];
        body[body.length - 1] = 42;
        Map<String, byte[]> hash = completed(base("completed"));
        hash.put("body", body);

        StoredBody decoded = ((Completed) RecordCodec.decode(hash)).response().body();
        assertThat(decoded.resident()).isTrue();
        assertThat(decoded.chunkCount()).isEqualTo(3);
        assertThat(((BodyChunks) decoded).toByteArray()).isEqualTo(body);
    }

    @Test
    void aVersionTwoRecordPointsToItsBodyKeyWithoutReadingIt() {
        Map<String, byte[]> hash = completed(base("completed"));
        hash.put("v", bytes("2"));
        hash.put("body_key", bytes("p:{id}:body:1:gw/1"));
        hash.put("chunks", bytes(5));
        hash.put("length", bytes(300_000));
        List<String> asked = new ArrayList<>();

        Completed completed = (Completed) RecordCodec.decode(hash, (key, chunks, length) -> {
            asked.add(RecordCodec.utf8(key) + " " + chunks + " " + length);
            return BodyChunks.EMPTY;
        });

        assertThat(asked).containsExactly("p:{id}:body:1:gw/1 5 300000");
        assertThat(completed.response().status()).isEqualTo(200);
    }

    private static Map<String, byte[]> completed(Map<String, byte[]> hash) {
        hash.put("status", bytes(200));
        hash.put("headers", bytes("[]"));
        hash.put("omitted", bytes("0"));
        hash.put("completed", bytes(1_500));
        hash.put("expires", bytes(9_000));
        return hash;
    }

    private static Map<String, byte[]> base(String state) {
        Map<String, byte[]> hash = new HashMap<>();
        hash.put("v", bytes("1"));
        hash.put("state", bytes(state));
        hash.put("fp", bytes("fp"));
        hash.put("fence", bytes(3));
        hash.put("created", bytes(1_000));
        return hash;
    }
}
