package io.idemgate.gateway.idempotency;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RecordKeyTest {

    @Test
    void storageIdHasFixedLengthWhateverTheInput() {
        assertThat(new RecordKey("r", "s", "k").storageId()).matches("[0-9a-f]{64}");
        assertThat(new RecordKey("payments", "a".repeat(64), "{x}:*\n".repeat(100)).storageId()).matches("[0-9a-f]{64}");
    }

    @Test
    void everyPartChangesTheId() {
        String id = new RecordKey("payments", "scope", "key").storageId();
        assertThat(new RecordKey("refunds", "scope", "key").storageId()).isNotEqualTo(id);
        assertThat(new RecordKey("payments", "scope2", "key").storageId()).isNotEqualTo(id);
        assertThat(new RecordKey("payments", "scope", "key2").storageId()).isNotEqualTo(id);
        assertThat(new RecordKey("payments", "scope", "key").storageId()).isEqualTo(id);
    }

    @Test
    void boundariesBetweenPartsAreUnambiguous() {
        assertThat(new RecordKey("a", "bc", "k").storageId()).isNotEqualTo(new RecordKey("ab", "c", "k").storageId());
        assertThat(new RecordKey("r", "a", "bc").storageId()).isNotEqualTo(new RecordKey("r", "ab", "c").storageId());
    }

    @Test
    void keyHashIsTheShortPlainSha256OfTheKey() {
        // printf %s abc | sha256sum
        assertThat(new RecordKey("r", "s", "abc").keyHash()).isEqualTo("ba7816bf8f01cfea");
        assertThat(new RecordKey("other", "t", "abc").keyHash()).isEqualTo("ba7816bf8f01cfea");
    }

    @Test
    void toStringNeverShowsTheKey() {
        assertThat(new RecordKey("payments", "scope", "secret-key-1").toString())
                .contains("payments").contains("keyHash=" + new RecordKey("payments", "scope", "secret-key-1").keyHash())
                .doesNotContain("secret-key-1");
    }
}
