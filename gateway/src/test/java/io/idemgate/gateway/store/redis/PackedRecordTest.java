package io.idemgate.gateway.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.idemgate.gateway.idempotency.BodyChunks;
import io.idemgate.gateway.idempotency.IdempotencyRecord.Completed;
import io.idemgate.gateway.idempotency.IdempotencyRecord.InFlight;
import io.idemgate.gateway.idempotency.IdempotencyRecord.OutcomeUnknown;
import io.idemgate.gateway.idempotency.StoredBody;
import io.idemgate.gateway.idempotency.StoredResponse;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Format 3 as the scripts write it (docs/store-format.md): the header line the Lua code builds, then the tail. */
class PackedRecordTest {

    @Test
    void anInFlightRecord() {
        byte[] value = ascii("3 I 1733193600123456 1000 2000 60000 1 fp-a gw1/x\n");

        assertThat(PackedRecord.decode(value, RecordCodec.NO_CHUNKS)).isEqualTo(new InFlight("fp-a",
                1733193600123456L, "gw1/x", Instant.ofEpochMilli(2_000), Instant.ofEpochMilli(1_000)));
    }

    @Test
    void anOutcomeUnknownRecordKeepsItsReasonWithSpaces() {
        byte[] value = ascii("3 U 9 1000 3000 63000 fp-a\nupstream timed out");

        assertThat(PackedRecord.decode(value, RecordCodec.NO_CHUNKS)).isEqualTo(new OutcomeUnknown("fp-a", 9,
                "upstream timed out", Instant.ofEpochMilli(1_000), Instant.ofEpochMilli(3_000),
                Instant.ofEpochMilli(63_000)));
    }

    @Test
    void aCompletedRecordWithItsBodyInlineRoundTripsBinaryBodiesAndRepeatedHeaders() {
        byte[] body = new byte[256];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) i; // includes '\n' and ' ': the tail is never split on them
        }
        List<Map.Entry<String, String>> headers = List.of(Map.entry("Set-Cookie", "a=1"),
                Map.entry("Set-Cookie", "b=\"2\""));
        StoredResponse response = new StoredResponse(201, headers, body, false);

        Completed completed = (Completed) PackedRecord.decode(scriptWrites(response, null), RecordCodec.NO_CHUNKS);

        assertThat(completed.fence()).isEqualTo(5);
        assertThat(completed.fingerprint()).isEqualTo("fp-a");
        assertThat(completed.completedAt()).isEqualTo(Instant.ofEpochMilli(1_500));
        assertThat(completed.expiresAt()).isEqualTo(Instant.ofEpochMilli(9_000));
        assertThat(completed.response().status()).isEqualTo(201);
        assertThat(completed.response().headers()).isEqualTo(headers);
        assertThat(completed.response().body().resident()).isTrue();
        assertThat(((BodyChunks) completed.response().body()).toByteArray()).isEqualTo(body);
    }

    @Test
    void anEmptyOrOmittedBody() {
        StoredResponse omitted = new StoredResponse(204, List.of(), new byte[0], true);

        Completed completed = (Completed) PackedRecord.decode(scriptWrites(omitted, null), RecordCodec.NO_CHUNKS);

        assertThat(completed.response().bodyOmitted()).isTrue();
        assertThat(completed.response().body().length()).isZero();
    }

    @Test
    void aChunkedRecordNamesItsBodyKeyWithoutCarryingTheBody() {
        StoredResponse large = new StoredResponse(200, List.of(), new byte[2 * BodyChunks.CHUNK_SIZE + 1], false);
        List<Object> asked = new ArrayList<>();
        RecordCodec.BodySource bodies = (key, chunks, length) -> {
            asked.add(new String(key, StandardCharsets.UTF_8));
            asked.add(chunks);
            asked.add(length);
            return BodyChunks.EMPTY;
        };

        byte[] value = scriptWrites(large, "p:{id}:body:5:gw/1");
        PackedRecord.decode(value, bodies);

        assertThat(value.length).isLessThan(200);
        assertThat(asked).containsExactly("p:{id}:body:5:gw/1", 3, 2L * BodyChunks.CHUNK_SIZE + 1);
    }

    @Test
    void anotherFormatIsRefusedRatherThanMisread() {
        assertThatThrownBy(() -> PackedRecord.decode(ascii("4 I 1 2 3 4 0 fp o\n"), RecordCodec.NO_CHUNKS))
                .hasMessageContaining("unsupported Redis record format 4");
        assertThatThrownBy(() -> PackedRecord.decode(ascii("3 I 1 2 x 4 0 fp o\n"), RecordCodec.NO_CHUNKS))
                .hasMessageContaining("malformed");
    }

    @Test
    void fingerprintsAndOwnersAreSingleWords() {
        assertThat(PackedRecord.word("gw1/17", "owner")).isEqualTo("gw1/17");
        assertThatThrownBy(() -> PackedRecord.word("gw 1", "owner")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PackedRecord.word("fp\n", "fingerprint")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PackedRecord.word("", "owner")).isInstanceOf(IllegalArgumentException.class);
    }

    /** What complete.lua stores: its own header start, then the tail the gateway sent. */
    private static byte[] scriptWrites(StoredResponse response, String bodyKey) {
        ByteArrayOutputStream value = new ByteArrayOutputStream();
        value.writeBytes(ascii("3 C 5 1000 1500 9000 fp-a "));
        StoredBody body = response.body();
        value.writeBytes(PackedRecord.completedTail(response, (BodyChunks) body, bodyKey));
        return value.toByteArray();
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
