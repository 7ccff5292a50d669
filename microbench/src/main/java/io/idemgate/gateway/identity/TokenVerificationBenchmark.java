package io.idemgate.gateway.identity;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.idemgate.gateway.config.IdempotencyConfig;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What {@code scope.jwt} costs per request: a token seen for the first time (signature and claims
 * checked, scope hashed) per algorithm, and a token already verified (the per-token cache). In the
 * gateway's package because the verifier is package-private: this measures the class the gateway runs.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@Fork(jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class TokenVerificationBenchmark {

    private static final String SECRET = "an-hs256-secret-of-at-least-32-bytes!";

    private TokenVerifier jwksVerifier;
    private TokenVerifier hmacVerifier;
    private JWKSet keys;
    private String rs256;
    private String es256;
    private String edDsa;
    private String hs256;
    private JwtScope cachedScope;
    private Function<String, List<String>> cachedHeaders;

    @Setup
    public void setUp() throws Exception {
        RSAKey rsa = new RSAKeyGenerator(2048).keyID("rsa").generate();
        ECKey ec = new ECKeyGenerator(Curve.P_256).keyID("ec").generate();
        KeyPair ed = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        byte[] spki = ed.getPublic().getEncoded();
        OctetKeyPair edPublic = new OctetKeyPair.Builder(Curve.Ed25519,
                Base64URL.encode(Arrays.copyOfRange(spki, spki.length - 32, spki.length))).keyID("ed").build();
        keys = new JWKSet(List.<JWK>of(rsa.toPublicJWK(), ec.toPublicJWK(), edPublic));
        JWTClaimsSet claims = new JWTClaimsSet.Builder().subject("user-1234").issuer("https://idp.example.com/")
                .audience("payments-api").expirationTime(Date.from(Instant.now().plusSeconds(3600))).build();
        rs256 = sign(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa").build(), claims, rsa, null);
        es256 = sign(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("ec").build(), claims, null, ec);
        SignedJWT h = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        h.sign(new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)));
        hs256 = h.serialize();
        String input = new JWSHeader.Builder(JWSAlgorithm.EdDSA).keyID("ed").build().toBase64URL() + "."
                + Base64URL.encode(claims.toString().getBytes(StandardCharsets.UTF_8));
        Signature s = Signature.getInstance("Ed25519");
        s.initSign(ed.getPrivate());
        s.update(input.getBytes(StandardCharsets.US_ASCII));
        edDsa = input + "." + Base64URL.encode(s.sign());

        jwksVerifier = new TokenVerifier(config(Optional.of(URI.create("https://idp.example.com/jwks")), Optional.empty()));
        IdempotencyConfig.Jwt hmac = config(Optional.empty(), Optional.of(SECRET));
        hmacVerifier = new TokenVerifier(hmac);
        cachedScope = new JwtScope(hmac, null, Runnable::run, Clock.systemUTC());
        List<String> authorization = List.of("Bearer " + hs256);
        cachedHeaders = name -> authorization;
        if (!(cachedScope.resolve(cachedHeaders) instanceof ScopeResult.Resolved)) {
            throw new IllegalStateException("the HS256 token did not verify");
        }
        for (String t : List.of(rs256, es256, edDsa)) {
            if (!(jwksVerifier.verify(t, keys, System.currentTimeMillis()) instanceof TokenVerifier.Verification.Valid)) {
                throw new IllegalStateException("a benchmark token did not verify");
            }
        }
    }

    private static IdempotencyConfig.Jwt config(Optional<URI> url, Optional<String> secret) {
        return new IdempotencyConfig.Jwt("Authorization", Optional.empty(), url, Optional.empty(), Duration.ofMinutes(10),
                secret, List.of("iss", "sub"), List.of("https://idp.example.com/"), List.of("payments-api"), Duration.ofSeconds(30));
    }

    private static String sign(JWSHeader header, JWTClaimsSet claims, RSAKey rsa, ECKey ec) throws Exception {
        SignedJWT jwt = new SignedJWT(header, claims);
        jwt.sign(rsa != null ? new RSASSASigner(rsa) : new ECDSASigner(ec));
        return jwt.serialize();
    }

    @Benchmark
    public Object firstSightRs256() {
        return jwksVerifier.verify(rs256, keys, System.currentTimeMillis());
    }

    @Benchmark
    public Object firstSightEs256() {
        return jwksVerifier.verify(es256, keys, System.currentTimeMillis());
    }

    @Benchmark
    public Object firstSightEdDsa() {
        return jwksVerifier.verify(edDsa, keys, System.currentTimeMillis());
    }

    @Benchmark
    public Object firstSightHs256() {
        return hmacVerifier.verify(hs256, null, System.currentTimeMillis());
    }

    /** The same token again: the cache lookup plus parsing the header value, whatever the algorithm. */
    @Benchmark
    public Object cached() {
        return cachedScope.resolve(cachedHeaders);
    }
}
