package io.idemgate.gateway.store.redis;

import static io.idemgate.gateway.store.redis.RecordCodec.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.idemgate.gateway.idempotency.IdempotencyRecord.Completed;
import io.idemgate.gateway.idempotency.IdempotencyRecord.InFlight;
import java.time.Instant;
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
        assertThat(completed.response().body()).isEmpty();
        assertThat(completed.response().bodyOmitted()).isTrue();
        assertThat(completed.expiresAt()).isEqualTo(Instant.ofEpochMilli(9_000));
    }

    @Test
    void anotherFormatVersionIsRefusedRatherThanMisread() {
        Map<String, byte[]> hash = base("inflight");
        hash.put("v", bytes("2"));

        assertThatThrownBy(() -> RecordCodec.decode(hash)).hasMessageContaining("format version 2");
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
