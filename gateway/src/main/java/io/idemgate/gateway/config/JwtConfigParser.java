package io.idemgate.gateway.config;

import com.nimbusds.jose.jwk.JWKSet;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import java.util.Optional;

/** Reads a route's {@code scope.jwt} block; off unless one key source is set. */
final class JwtConfigParser {

    /** HS256 needs a key of at least 256 bits (RFC 7518 §3.2). */
    static final int MIN_SECRET_BYTES = 32;

    private JwtConfigParser() {
    }

    static Optional<IdempotencyConfig.Jwt> parse(ConfigReader r) {
        String file = r.string("scope.jwt.jwks-file").trim();
        String url = r.string("scope.jwt.jwks-url").trim();
        String caFile = r.string("scope.jwt.jwks-ca-file").trim();
        String secret = r.string("scope.jwt.hs256-secret"); // not trimmed: every byte of it is the key
        int sources = (file.isEmpty() ? 0 : 1) + (url.isEmpty() ? 0 : 1) + (secret.isEmpty() ? 0 : 1);
        if (sources == 0) {
            if (!caFile.isEmpty()) {
                r.problem("scope.jwt.jwks-ca-file", "only applies with scope.jwt.jwks-url");
            }
            return Optional.empty();
        }
        if (sources > 1) {
            // Not r.problem(key, ...): that would print the value, and one of them may be the secret.
            r.problems().add(r.origin(), r.path("scope.jwt"), "set exactly one of jwks-file, jwks-url, hs256-secret", null);
        }
        String header = r.string("scope.jwt.header").trim();
        if (!HttpSyntax.isToken(header)) {
            r.problem("scope.jwt.header", "must be a valid header name");
        }
        if (!file.isEmpty()) {
            checkJwksFile(r, file);
        }
        URI jwksUrl = null;
        if (!url.isEmpty()) {
            try {
                jwksUrl = URI.create(url);
            } catch (IllegalArgumentException e) {
                jwksUrl = null;
            }
            if (jwksUrl == null || !"https".equalsIgnoreCase(jwksUrl.getScheme()) || jwksUrl.getHost() == null) {
                r.problem("scope.jwt.jwks-url", "must be an https:// URL (keys fetched in clear could be replaced on the way)");
            }
        }
        if (!caFile.isEmpty() && url.isEmpty()) {
            r.problem("scope.jwt.jwks-ca-file", "only applies with scope.jwt.jwks-url");
        } else if (!caFile.isEmpty()) {
            checkCaFile(r, caFile);
        }
        if (!secret.isEmpty() && secret.getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
            r.problems().add(r.origin(), r.path("scope.jwt.hs256-secret"),
                    "must be at least " + MIN_SECRET_BYTES + " bytes (HS256 needs a 256-bit key)", null);
        }
        var claims = r.strings("scope.jwt.claims", c -> c.isBlank() ? "must be a claim name such as sub" : null);
        if (claims.isEmpty()) {
            r.problem("scope.jwt.claims", "must name at least one claim, such as [\"sub\"]");
        }
        Duration refresh = r.duration("scope.jwt.jwks-refresh", false);
        Duration leeway = r.duration("scope.jwt.leeway", true);
        return Optional.of(new IdempotencyConfig.Jwt(header,
                file.isEmpty() ? Optional.empty() : Optional.of(Path.of(file)),
                Optional.ofNullable(url.isEmpty() ? null : jwksUrl),
                caFile.isEmpty() ? Optional.empty() : Optional.of(Path.of(caFile)),
                refresh, secret.isEmpty() ? Optional.empty() : Optional.of(secret), claims,
                r.strings("scope.jwt.issuers", s -> s.isEmpty() ? "must not be empty" : null),
                r.strings("scope.jwt.audiences", s -> s.isEmpty() ? "must not be empty" : null), leeway));
    }

    private static void checkCaFile(ConfigReader r, String file) {
        try (var in = Files.newInputStream(Path.of(file))) {
            if (java.security.cert.CertificateFactory.getInstance("X.509").generateCertificates(in).isEmpty()) {
                r.problem("scope.jwt.jwks-ca-file", "holds no PEM certificate");
            }
        } catch (IOException e) {
            r.problem("scope.jwt.jwks-ca-file", "cannot be read: " + e.getMessage());
        } catch (java.security.cert.CertificateException e) {
            r.problem("scope.jwt.jwks-ca-file", "is not a PEM certificate file: " + e.getMessage());
        }
    }

    /** A file that does not parse is a config error now, not a 503 on every request later. */
    private static void checkJwksFile(ConfigReader r, String file) {
        try {
            JWKSet set = JWKSet.load(Path.of(file).toFile());
            if (set.getKeys().isEmpty()) {
                r.problem("scope.jwt.jwks-file", "holds no keys");
            }
        } catch (IOException e) {
            r.problem("scope.jwt.jwks-file", "cannot be read: " + e.getMessage());
        } catch (ParseException e) {
            r.problem("scope.jwt.jwks-file", "is not a JWK set: " + e.getMessage());
        }
    }
}
