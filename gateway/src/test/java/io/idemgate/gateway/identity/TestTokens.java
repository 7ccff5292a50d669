package io.idemgate.gateway.identity;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.UUID;

/**
 * Real keys and real signed tokens for the tests: RSA 2048, EC P-256 and Ed25519 key pairs with their
 * public JWKs, and a signer for each algorithm. Ed25519 tokens are signed with the JDK's provider, as the
 * gateway verifies them (nimbus's Ed25519 signer needs Tink).
 */
final class TestTokens {

    static final String SECRET = "an-hs256-secret-of-at-least-32-bytes!";

    final RSAKey rsa;
    final ECKey ec;
    final KeyPair ed;
    final OctetKeyPair edPublic;

    private TestTokens(String prefix) {
        try {
            rsa = new RSAKeyGenerator(2048).keyID(prefix + "-rsa").keyUse(KeyUse.SIGNATURE).generate();
            ec = new ECKeyGenerator(Curve.P_256).keyID(prefix + "-ec").keyUse(KeyUse.SIGNATURE).generate();
            ed = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            byte[] spki = ed.getPublic().getEncoded();
            edPublic = new OctetKeyPair.Builder(Curve.Ed25519, Base64URL.encode(Arrays.copyOfRange(spki, spki.length - 32, spki.length)))
                    .keyID(prefix + "-ed").keyUse(KeyUse.SIGNATURE).build();
        } catch (JOSEException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static TestTokens generate(String kidPrefix) {
        return new TestTokens(kidPrefix);
    }

    /** The public JWK set of these keys, as a JWKS endpoint serves it. */
    String jwks() {
        return new JWKSet(List.<JWK>of(rsa.toPublicJWK(), ec.toPublicJWK(), edPublic)).toString();
    }

    static JWTClaimsSet.Builder claims(String sub, Instant exp) {
        return new JWTClaimsSet.Builder().subject(sub).expirationTime(Date.from(exp)).jwtID(UUID.randomUUID().toString())
                .issueTime(new Date());
    }

    static JWTClaimsSet claimsFor(String sub) {
        return claims(sub, Instant.now().plusSeconds(300)).build();
    }

    String rs256(JWTClaimsSet claims) {
        return sign(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(rsa.getKeyID()).build(), claims, Alg.RSA);
    }

    String es256(JWTClaimsSet claims) {
        return sign(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(ec.getKeyID()).build(), claims, Alg.EC);
    }

    String edDsa(JWTClaimsSet claims) {
        JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.EdDSA).keyID(edPublic.getKeyID()).build();
        String input = header.toBase64URL() + "." + Base64URL.encode(claims.toString().getBytes(StandardCharsets.UTF_8));
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(ed.getPrivate());
            s.update(input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + Base64URL.encode(s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static String hs256(JWTClaimsSet claims, byte[] secret) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
            jwt.sign(new MACSigner(secret));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    static String hs256(JWTClaimsSet claims) {
        return hs256(claims, SECRET.getBytes(StandardCharsets.UTF_8));
    }

    /** {@code "alg": "none"}: header and claims, no signature. */
    static String unsecured(JWTClaimsSet claims) {
        return Base64URL.encode("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + Base64URL.encode(claims.toString().getBytes(StandardCharsets.UTF_8)) + ".";
    }

    /** The classic confusion: HS256 keyed with the bytes of the RSA public key the verifier trusts. */
    String hs256WithRsaPublicKey(JWTClaimsSet claims) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(rsa.getKeyID()).build(), claims);
            jwt.sign(new MACSigner(rsa.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8)));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private enum Alg { RSA, EC }

    private String sign(JWSHeader header, JWTClaimsSet claims, Alg alg) {
        try {
            SignedJWT jwt = new SignedJWT(header, claims);
            jwt.sign(alg == Alg.RSA ? new RSASSASigner(rsa) : new ECDSASigner(ec));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }
}
