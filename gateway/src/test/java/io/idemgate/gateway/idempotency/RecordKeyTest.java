package io.idemgate.gateway.idempotency;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RecordKeyTest {

    private static final KeyHasher HASHER = KeyHasher.withSecret("test-secret");

    private static RecordKey key(String route, String scope, String key) {
        return RecordKey.of(route, scope, key, null, HASHER);
    }

    @Test
    void storageIdHasFixedLengthWhateverTheInput() {
        assertThat(key("r", "s", "k").storageId()).matches("[0-9a-f]{64}");
        assertThat(key("payments", "a".repeat(64), "{x}:*\n".repeat(100)).storageId()).matches("[0-9a-f]{64}");
    }

    @Test
    void everyPartChangesTheId() {
        String id = key("payments", "scope", "key").storageId();
        assertThat(key("refunds", "scope", "key").storageId()).isNotEqualTo(id);
        assertThat(key("payments", "scope2", "key").storageId()).isNotEqualTo(id);
        assertThat(key("payments", "scope", "key2").storageId()).isNotEqualTo(id);
        assertThat(key("payments", "scope", "key").storageId()).isEqualTo(id);
    }

    @Test
    void boundariesBetweenPartsAreUnambiguous() {
        assertThat(key("a", "bc", "k").storageId()).isNotEqualTo(key("ab", "c", "k").storageId());
        assertThat(key("r", "a", "bc").storageId()).isNotEqualTo(key("r", "ab", "c").storageId());
    }

    @Test
    void theStorageIdDoesNotDependOnTheLogSecret() {
        // Records stored before a secret change (or by another instance) must still be found.
        assertThat(RecordKey.of("r", "s", "k", null, KeyHasher.withSecret("")).storageId())
                .isEqualTo(key("r", "s", "k").storageId());
    }

    @Test
    void withoutAKeyTheFingerprintNamesTheRecord() {
        assertThat(RecordKey.of("r", "s", null, "abc123", HASHER)).isEqualTo(key("r", "s", "fp:abc123"));
    }

    @Test
    void keyHashIsAKeyedHashOfTheKeyAlone() {
        // printf %s abc | openssl dgst -sha256 -hmac test-secret
        assertThat(key("r", "s", "abc").keyHash()).isEqualTo("e4c4dadd6571f81a");
        assertThat(key("other", "t", "abc").keyHash()).isEqualTo("e4c4dadd6571f81a");
        // Not the plain SHA-256 a reader of the logs could compute from a guessed key.
        assertThat(key("r", "s", "abc").keyHash()).isNotEqualTo("ba7816bf8f01cfea");
        assertThat(RecordKey.of("r", "s", "abc", null, KeyHasher.withSecret("other")).keyHash())
                .isNotEqualTo(key("r", "s", "abc").keyHash());
    }

    @Test
    void toStringNeverShowsTheKey() {
        assertThat(key("payments", "scope", "secret-key-1").toString())
                .contains("payments").contains("keyHash=" + key("payments", "scope", "secret-key-1").keyHash())
                .doesNotContain("secret-key-1");
    }
}
