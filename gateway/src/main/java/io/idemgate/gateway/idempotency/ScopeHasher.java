package io.idemgate.gateway.idempotency;

import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Hashes the values of a route's {@code scope.headers} (e.g. {@code Authorization}) so a record is bound
 * to its client without the store ever holding a credential in clear. An absent header (no values) and a
 * header sent with an empty value hash differently. Stateless and thread-safe.
 */
public final class ScopeHasher {

    private static final String DOMAIN = "idemgate/scope/v1";
    /** Its own domain: a token's claims can never hash to the scope of some header values. */
    private static final String JWT_DOMAIN = "idemgate/scope-jwt/v1";

    private ScopeHasher() {
    }

    /**
     * @param scopeHeaderNames the configured names, in config order
     * @param headerValues all values of a header, looked up case-insensitively; empty or null when absent
     * @return lower-case hex SHA-256
     */
    public static String hash(List<String> scopeHeaderNames, Function<String, List<String>> headerValues) {
        DigestEncoder encoder = DigestEncoder.start(DOMAIN).integer(scopeHeaderNames.size());
        for (String name : scopeHeaderNames) {
            encoder.header(name.toLowerCase(Locale.ROOT), headerValues.apply(name));
        }
        return encoder.hex();
    }

    /**
     * The scope of a {@code scope.jwt} route: the configured claims of a verified token.
     *
     * @param claimNames the configured claims, in config order
     * @param claimValues a claim's values (a string claim has one; {@code aud} may have several)
     */
    public static String hashClaims(List<String> claimNames, Function<String, List<String>> claimValues) {
        DigestEncoder encoder = DigestEncoder.start(JWT_DOMAIN).integer(claimNames.size());
        for (String name : claimNames) {
            encoder.header(name, claimValues.apply(name));
        }
        return encoder.hex();
    }
}
