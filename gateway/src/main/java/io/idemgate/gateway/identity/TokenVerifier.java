package io.idemgate.gateway.identity;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.KeyLengthException;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.idemgate.gateway.config.IdempotencyConfig;
import io.idemgate.gateway.idempotency.ScopeHasher;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Verifies one compact JWS and turns its configured claims into a scope hash. Stateless and thread-safe;
 * the keys come in with each call. Which algorithms a route accepts follows from its key source, never
 * from the token: a JWKS route takes RS256, ES256 and EdDSA, a secret route only HS256 — so {@code none}
 * and the HS256-with-the-RSA-public-key confusion fail before any key is looked at.
 */
final class TokenVerifier {

    static final Set<JWSAlgorithm> ASYMMETRIC = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256, JWSAlgorithm.EdDSA,
            JWSAlgorithm.Ed25519);

    /** What one verification found. Reasons name what was wrong, never the token or a claim value. */
    sealed interface Verification {
        record Valid(String scopeHash, long expiresAtMillis) implements Verification {
        }

        record Invalid(String reason) implements Verification {
        }

        /** Signed with a {@code kid} the key set does not have (yet): worth a refetch. */
        record UnknownKey() implements Verification {
        }
    }

    private final IdempotencyConfig.Jwt config;
    private final MACVerifier hmac; // null on JWKS routes
    private final long leewayMillis;

    TokenVerifier(IdempotencyConfig.Jwt config) {
        this.config = config;
        this.leewayMillis = config.leeway().toMillis();
        try {
            this.hmac = config.hs256Secret().isPresent()
                    ? new MACVerifier(config.hs256Secret().get().getBytes(StandardCharsets.UTF_8)) : null;
        } catch (JOSEException e) {
            throw new IllegalArgumentException("hs256-secret rejected: " + e.getMessage()); // config validation checks the length first
        }
    }

    boolean symmetric() {
        return hmac != null;
    }

    /**
     * @param token the compact JWS
     * @param keys the JWKS route's current public keys; ignored on a secret route
     */
    Verification verify(String token, JWKSet keys, long nowMillis) {
        SignedJWT jwt;
        try {
            jwt = SignedJWT.parse(token); // an unsecured ("alg": "none") or encrypted token is no JWS: refused here
        } catch (ParseException e) {
            return invalid("not a signed JWT");
        }
        JWSHeader header = jwt.getHeader();
        JWSAlgorithm alg = header.getAlgorithm();
        JWSVerifier verifier;
        if (hmac != null) {
            if (!JWSAlgorithm.HS256.equals(alg)) {
                return invalid("algorithm " + alg + " not accepted on this route");
            }
            verifier = hmac;
        } else {
            if (!ASYMMETRIC.contains(alg)) {
                return invalid("algorithm " + alg + " not accepted on this route");
            }
            JWK key = select(keys, header);
            if (key == null) {
                return new Verification.UnknownKey();
            }
            try {
                verifier = verifierFor(key);
            } catch (JOSEException e) {
                return invalid("unusable key: " + e.getMessage());
            }
        }
        try {
            if (!jwt.verify(verifier)) {
                return invalid("bad signature");
            }
        } catch (JOSEException | IllegalStateException e) {
            return invalid("bad signature");
        }
        JWTClaimsSet claims;
        try {
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            return invalid("claims are not a JSON object");
        }
        return checkClaims(claims, nowMillis);
    }

    private Verification checkClaims(JWTClaimsSet claims, long nowMillis) {
        Date exp = claims.getExpirationTime();
        if (exp == null) {
            return invalid("no exp"); // a token without expiry would be a scope forever
        }
        if (nowMillis > exp.getTime() + leewayMillis) {
            return invalid("expired");
        }
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && nowMillis + leewayMillis < nbf.getTime()) {
            return invalid("not yet valid");
        }
        if (!config.issuers().isEmpty() && !config.issuers().contains(claims.getIssuer())) {
            return invalid("issuer not accepted");
        }
        if (!config.audiences().isEmpty()) {
            List<String> aud = claims.getAudience();
            if (aud == null || aud.stream().noneMatch(config.audiences()::contains)) {
                return invalid("audience not accepted");
            }
        }
        Map<String, List<String>> values = new HashMap<>();
        for (String name : config.claims()) {
            List<String> v = claimValues(claims.getClaim(name));
            if (v.isEmpty()) {
                return invalid("claim " + name + " missing");
            }
            values.put(name, v);
        }
        return new Verification.Valid(ScopeHasher.hashClaims(config.claims(), values::get), exp.getTime() + leewayMillis);
    }

    private static List<String> claimValues(Object claim) {
        List<String> out = new ArrayList<>();
        if (claim instanceof List<?> list) {
            for (Object o : list) {
                if (o != null && !o.toString().isEmpty()) {
                    out.add(o.toString());
                }
            }
        } else if (claim instanceof Date d) {
            out.add(Long.toString(d.getTime() / 1000));
        } else if (claim != null && !(claim instanceof Map) && !claim.toString().isEmpty()) {
            out.add(claim.toString());
        }
        return out;
    }

    /**
     * The key the header names by {@code kid}; without a {@code kid}, the only signing key of the
     * algorithm's type. Keys marked for encryption or another algorithm never verify a signature.
     */
    static JWK select(JWKSet keys, JWSHeader header) {
        if (keys == null) {
            return null;
        }
        String kid = header.getKeyID();
        JWK found = null;
        for (JWK k : keys.getKeys()) {
            if (kid != null && !kid.equals(k.getKeyID())) {
                continue;
            }
            if (!fits(k, header.getAlgorithm())) {
                continue;
            }
            if (kid != null) {
                return k;
            }
            if (found != null) {
                return null; // ambiguous without a kid
            }
            found = k;
        }
        return found;
    }

    private static boolean fits(JWK k, JWSAlgorithm alg) {
        if (k.getKeyUse() != null && !KeyUse.SIGNATURE.equals(k.getKeyUse())) {
            return false;
        }
        if (k.getAlgorithm() != null && !k.getAlgorithm().getName().equals(alg.getName())
                && !(isEdDsa(alg) && isEdDsa(JWSAlgorithm.parse(k.getAlgorithm().getName())))) {
            return false;
        }
        if (JWSAlgorithm.RS256.equals(alg)) {
            return k instanceof RSAKey;
        }
        if (JWSAlgorithm.ES256.equals(alg)) {
            return k instanceof ECKey ec && Curve.P_256.equals(ec.getCurve());
        }
        return isEdDsa(alg) && k instanceof OctetKeyPair okp && Curve.Ed25519.equals(okp.getCurve());
    }

    private static boolean isEdDsa(JWSAlgorithm alg) {
        return JWSAlgorithm.EdDSA.equals(alg) || JWSAlgorithm.Ed25519.equals(alg);
    }

    private static JWSVerifier verifierFor(JWK key) throws JOSEException {
        if (key instanceof RSAKey rsa) {
            return new RSASSAVerifier(rsa.toRSAPublicKey());
        }
        if (key instanceof ECKey ec) {
            return new ECDSAVerifier(ec.toECPublicKey());
        }
        if (key instanceof OctetKeyPair okp) {
            return new Ed25519Verifier(okp);
        }
        throw new KeyLengthException("unsupported key type " + key.getKeyType());
    }

    private static Verification invalid(String reason) {
        return new Verification.Invalid(reason);
    }
}
