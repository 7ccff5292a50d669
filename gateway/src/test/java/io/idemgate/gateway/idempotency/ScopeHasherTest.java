package io.idemgate.gateway.idempotency;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class ScopeHasherTest {

    private static final List<String> AUTH = List.of("Authorization");

    private static Function<String, List<String>> only(String name, List<String> values) {
        return n -> n.equalsIgnoreCase(name) ? values : List.of();
    }

    @Test
    void differentCredentialsGiveDifferentScopes() {
        assertThat(ScopeHasher.hash(AUTH, only("Authorization", List.of("Bearer alice"))))
                .isNotEqualTo(ScopeHasher.hash(AUTH, only("Authorization", List.of("Bearer bob"))));
    }

    @Test
    void sameCredentialSameScopeAndTheValueIsNotInTheHash() {
        String hash = ScopeHasher.hash(AUTH, only("authorization", List.of("Bearer alice")));
        assertThat(hash).isEqualTo(ScopeHasher.hash(List.of("AUTHORIZATION"), only("Authorization", List.of("Bearer alice"))))
                .matches("[0-9a-f]{64}").doesNotContain("alice");
    }

    @Test
    void absentHeaderDiffersFromEmptyValue() {
        String absent = ScopeHasher.hash(AUTH, only("Authorization", List.of()));
        assertThat(absent).isEqualTo(ScopeHasher.hash(AUTH, name -> null));
        assertThat(ScopeHasher.hash(AUTH, only("Authorization", List.of(""))))
                .isNotEqualTo(absent);
    }

    @Test
    void valuesAreNotConcatenatedAmbiguously() {
        assertThat(ScopeHasher.hash(AUTH, only("Authorization", List.of("ab", "c"))))
                .isNotEqualTo(ScopeHasher.hash(AUTH, only("Authorization", List.of("a", "bc"))))
                .isNotEqualTo(ScopeHasher.hash(AUTH, only("Authorization", List.of("abc"))));
    }

    @Test
    void valueCannotMoveBetweenConfiguredHeaders() {
        List<String> names = List.of("Authorization", "X-Tenant");
        Map<String, List<String>> a = Map.of("authorization", List.of("t1"), "x-tenant", List.of());
        Map<String, List<String>> b = Map.of("authorization", List.of(), "x-tenant", List.of("t1"));
        assertThat(ScopeHasher.hash(names, n -> a.get(n.toLowerCase(Locale.ROOT))))
                .isNotEqualTo(ScopeHasher.hash(names, n -> b.get(n.toLowerCase(Locale.ROOT))));
    }

    @Test
    void noScopeHeadersIsOneFixedScope() {
        assertThat(ScopeHasher.hash(List.of(), n -> List.of("x"))).isEqualTo(ScopeHasher.hash(List.of(), n -> List.of()));
    }
}
