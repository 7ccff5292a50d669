package io.idemgate.gateway.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import io.idemgate.gateway.config.IdempotencyConfig;
import io.idemgate.gateway.identity.TokenVerifier.Verification;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TokenVerifierTest {

    private static final TestTokens KEYS = TestTokens.generate("t");
    private static final TestTokens OTHER = TestTokens.generate("t"); // same kids, other keys: forgeries

    static IdempotencyConfig.Jwt jwks(List<String> claims, List<String> issuers, List<String> audiences) {
        return new IdempotencyConfig.Jwt("Authorization", Optional.empty(), Optional.of(java.net.URI.create("https://idp.test/jwks")),
                Optional.empty(), Duration.ofMinutes(10), Optional.empty(), claims, issuers, audiences, Duration.ofSeconds(30));
    }

    static IdempotencyConfig.Jwt secret() {
        return new IdempotencyConfig.Jwt("Authorization", Optional.empty(), Optional.empty(), Optional.empty(),
                Duration.ofMinutes(10), Optional.of(TestTokens.SECRET), List.of("sub"), List.of(), List.of(), Duration.ofSeconds(30));
    }

    private final TokenVerifier verifier = new TokenVerifier(jwks(List.of("sub"), List.of(), List.of()));
    private final JWKSet keys = parse(KEYS.jwks());
    private final long now = System.currentTimeMillis();

    private static JWKSet parse(String json) {
        try {
            return JWKSet.parse(json);
        } catch (ParseException e) {
            throw new IllegalStateException(e);
        }
    }

    private Verification verify(String token) {
        return verifier.verify(token, keys, now);
    }

    private static String scope(Verification v) {
        assertThat(v).isInstanceOf(Verification.Valid.class);
        return ((Verification.Valid) v).scopeHash();
    }

    @Test
    void everyAsymmetricAlgorithmVerifiesAndARefreshedTokenKeepsItsScope() {
        String first = scope(verify(KEYS.rs256(TestTokens.claimsFor("alice"))));
        assertThat(scope(verify(KEYS.rs256(TestTokens.claimsFor("alice"))))).isEqualTo(first);
        assertThat(scope(verify(KEYS.es256(TestTokens.claimsFor("alice"))))).isEqualTo(first);
        assertThat(scope(verify(KEYS.edDsa(TestTokens.claimsFor("alice"))))).isEqualTo(first);
        assertThat(scope(verify(KEYS.rs256(TestTokens.claimsFor("bob"))))).isNotEqualTo(first);
    }

    @Test
    void hs256VerifiesOnlyOnASecretRoute() {
        TokenVerifier hs = new TokenVerifier(secret());
        String token = TestTokens.hs256(TestTokens.claimsFor("alice"));
        assertThat(hs.verify(token, null, now)).isInstanceOf(Verification.Valid.class);
        assertThat(verify(token)).isEqualTo(new Verification.Invalid("algorithm HS256 not accepted on this route"));
        assertThat(hs.verify(KEYS.rs256(TestTokens.claimsFor("alice")), null, now))
                .isEqualTo(new Verification.Invalid("algorithm RS256 not accepted on this route"));
        assertThat(hs.verify(TestTokens.hs256(TestTokens.claimsFor("alice"), "another-secret-of-at-least-32-bytes!!".getBytes()),
                null, now)).isEqualTo(new Verification.Invalid("bad signature"));
    }

    @Test
    void forgeriesAreRefused() {
        JWTClaimsSet claims = TestTokens.claimsFor("alice");
        assertThat(verify(OTHER.rs256(claims))).isEqualTo(new Verification.Invalid("bad signature"));
        assertThat(verify(OTHER.es256(claims))).isEqualTo(new Verification.Invalid("bad signature"));
        assertThat(verify(OTHER.edDsa(claims))).isEqualTo(new Verification.Invalid("bad signature"));
        assertThat(verify(TestTokens.unsecured(claims))).isEqualTo(new Verification.Invalid("not a signed JWT"));
        assertThat(verify(KEYS.hs256WithRsaPublicKey(claims))).isInstanceOf(Verification.Invalid.class);
        assertThat(verify("not.a.token")).isInstanceOf(Verification.Invalid.class);
        String good = KEYS.rs256(claims);
        String tampered = good.substring(0, good.indexOf('.') + 1)
                + com.nimbusds.jose.util.Base64URL.encode(TestTokens.claimsFor("mallory").toString()) + good.substring(good.lastIndexOf('.'));
        assertThat(verify(tampered)).isEqualTo(new Verification.Invalid("bad signature"));
    }

    @Test
    void anUnknownKidAsksForARefetch() {
        TestTokens rotated = TestTokens.generate("next");
        assertThat(verify(rotated.rs256(TestTokens.claimsFor("alice")))).isInstanceOf(Verification.UnknownKey.class);
    }

    @Test
    void timesAreCheckedWithTheLeeway() {
        Instant t = Instant.ofEpochMilli(now);
        assertThat(verify(KEYS.es256(TestTokens.claims("a", t.minusSeconds(20)).build()))).isInstanceOf(Verification.Valid.class);
        assertThat(verify(KEYS.es256(TestTokens.claims("a", t.minusSeconds(40)).build())))
                .isEqualTo(new Verification.Invalid("expired"));
        assertThat(verify(KEYS.es256(TestTokens.claims("a", t.plusSeconds(300)).notBeforeTime(Date.from(t.plusSeconds(60))).build())))
                .isEqualTo(new Verification.Invalid("not yet valid"));
        assertThat(verify(KEYS.es256(new JWTClaimsSet.Builder().subject("a").build()))).isEqualTo(new Verification.Invalid("no exp"));
        Verification valid = verify(KEYS.es256(TestTokens.claims("a", t.plusSeconds(60)).build()));
        assertThat(((Verification.Valid) valid).expiresAtMillis()).isEqualTo((now / 1000 + 60) * 1000 + 30_000);
    }

    @Test
    void issuerAudienceAndClaimsAreChecked() {
        TokenVerifier strict = new TokenVerifier(jwks(List.of("iss", "sub"), List.of("https://idp.test"), List.of("payments")));
        Instant exp = Instant.now().plusSeconds(300);
        String ok = KEYS.rs256(TestTokens.claims("a", exp).issuer("https://idp.test").audience(List.of("other", "payments")).build());
        assertThat(strict.verify(ok, keys, now)).isInstanceOf(Verification.Valid.class);
        assertThat(strict.verify(KEYS.rs256(TestTokens.claims("a", exp).issuer("https://evil.test").audience("payments").build()), keys, now))
                .isEqualTo(new Verification.Invalid("issuer not accepted"));
        assertThat(strict.verify(KEYS.rs256(TestTokens.claims("a", exp).issuer("https://idp.test").audience("other").build()), keys, now))
                .isEqualTo(new Verification.Invalid("audience not accepted"));
        assertThat(verify(KEYS.rs256(new JWTClaimsSet.Builder().expirationTime(Date.from(exp)).build())))
                .isEqualTo(new Verification.Invalid("claim sub missing"));
    }
}
