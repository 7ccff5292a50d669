package io.idemgate.gateway.store.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.idemgate.gateway.idempotency.BodyChunks;
import io.idemgate.gateway.idempotency.StoredResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecordBytesTest {

    private static final String DIGEST = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    @Test
    void everyKindOfStringComesBackExactly() {
        for (String s : List.of(DIGEST, "", "fp-a", "caf\u00e9", "\u20ac \ud83d\ude00 and a lone \ud800 surrogate",
                DIGEST.toUpperCase(), DIGEST.substring(1), "x".repeat(300))) {
            assertThat(RecordBytes.fingerprint(RecordBytes.fingerprint(s))).isEqualTo(s);
        }
    }

    @Test
    void aHexDigestTakesHalfItsCharacters() {
        assertThat(RecordBytes.fingerprint(DIGEST)).hasSize(33);
    }

    @Test
    void aCompletedHeadKeepsFingerprintStatusHeadersInOrderAndTheOmittedFlag() {
        List<Map.Entry<String, String>> headers = List.of(Map.entry("Content-Type", "text/plain"),
                Map.entry("set-thing", "a"), Map.entry("set-thing", "\u00e9\u20ac"), Map.entry("x-empty", ""));
        for (int status : List.of(200, 599, 0, 70_000)) {
            for (boolean omitted : List.of(true, false)) {
                byte[] head = RecordBytes.completed(RecordBytes.fingerprint(DIGEST),
                        new StoredResponse(status, headers, new byte[0], omitted));

                StoredResponse back = RecordBytes.response(head, BodyChunks.EMPTY);

                assertThat(RecordBytes.fingerprint(head)).isEqualTo(DIGEST);
                assertThat(back.status()).isEqualTo(status);
                assertThat(back.bodyOmitted()).isEqualTo(omitted);
                assertThat(back.headers()).containsExactlyElementsOf(headers);
            }
        }
    }

    @Test
    void fingerprintsCompareAsBytesWhateverFollowsThem() {
        byte[] inFlight = RecordBytes.fingerprint("fp-a");
        byte[] completed = RecordBytes.completed(inFlight,
                new StoredResponse(200, List.of(Map.entry("a", "b")), new byte[0], false));

        assertThat(RecordBytes.sameFingerprint(completed, RecordBytes.fingerprint("fp-a"))).isTrue();
        assertThat(RecordBytes.sameFingerprint(completed, RecordBytes.fingerprint("fp-b"))).isFalse();
        assertThat(RecordBytes.sameFingerprint(completed, RecordBytes.fingerprint("fp-"))).isFalse();
        assertThat(RecordBytes.sameFingerprint(inFlight, RecordBytes.fingerprint("fp-ab"))).isFalse();
    }

    @Test
    void idsPackWhenTheyAreDigestsAndStayEqualAndPrintable() {
        assertThat(PackedId.of(DIGEST)).isEqualTo(PackedId.of(new String(DIGEST)))
                .hasSameHashCodeAs(PackedId.of(DIGEST)).hasToString(DIGEST);
        assertThat(PackedId.of(DIGEST).retainedBytes()).isEqualTo(Footprint.PACKED_ID);
        assertThat(PackedId.of("test-1")).isEqualTo(PackedId.of("test-1")).isNotEqualTo(PackedId.of("test-2"))
                .hasToString("test-1");
        assertThat(PackedId.of(DIGEST.toUpperCase())).isNotEqualTo(PackedId.of(DIGEST));
        String zeros = "0".repeat(64);
        assertThat(PackedId.of(zeros)).hasToString(zeros).isNotEqualTo(PackedId.of("0".repeat(63) + "1"));
    }
}
