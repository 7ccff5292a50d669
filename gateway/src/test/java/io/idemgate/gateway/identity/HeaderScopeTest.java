package io.idemgate.gateway.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.idemgate.gateway.config.IdempotencyConfig;
import io.idemgate.gateway.config.IdempotencyConfig.WhenMissing;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class HeaderScopeTest {

    private static final List<String> AUTH_AND_KEY = List.of("Authorization", "X-Api-Key");

    private static Function<String, List<String>> headers(Map<String, List<String>> sent) {
        return name -> sent.getOrDefault(name, List.of());
    }

    private static ScopeResult resolve(List<String> scopeHeaders, WhenMissing whenMissing, Map<String, List<String>> sent) {
        return new HeaderScope(new IdempotencyConfig.Scope(scopeHeaders, whenMissing)).resolve(headers(sent));
    }

    @Test
    void noneOfTheHeadersIsRequiredWhenRejecting() {
        assertThat(resolve(AUTH_AND_KEY, WhenMissing.REJECT, Map.of()))
                .isEqualTo(new ScopeResult.Required(AUTH_AND_KEY));
        assertThat(resolve(AUTH_AND_KEY, WhenMissing.REJECT, Map.of("Authorization", List.of("  "))))
                .isInstanceOf(ScopeResult.Required.class);
    }

    @Test
    void oneHeaderIsEnoughAndDifferentValuesAreDifferentScopes() {
        ScopeResult a = resolve(AUTH_AND_KEY, WhenMissing.REJECT, Map.of("X-Api-Key", List.of("a")));
        ScopeResult b = resolve(AUTH_AND_KEY, WhenMissing.REJECT, Map.of("X-Api-Key", List.of("b")));
        assertThat(a).isInstanceOf(ScopeResult.Resolved.class).isNotEqualTo(b);
        assertThat(resolve(AUTH_AND_KEY, WhenMissing.REJECT, Map.of("X-Api-Key", List.of("a")))).isEqualTo(a);
    }

    @Test
    void sharedAndAnEmptyListGiveOneScopeForEveryoneWithoutHeaders() {
        ScopeResult shared = resolve(AUTH_AND_KEY, WhenMissing.SHARED, Map.of());
        assertThat(shared).isInstanceOf(ScopeResult.Resolved.class)
                .isEqualTo(resolve(AUTH_AND_KEY, WhenMissing.SHARED, Map.of()));
        ScopeResult none = resolve(List.of(), WhenMissing.REJECT, Map.of("Authorization", List.of("x")));
        assertThat(none).isEqualTo(resolve(List.of(), WhenMissing.REJECT, Map.of()));
    }
}
