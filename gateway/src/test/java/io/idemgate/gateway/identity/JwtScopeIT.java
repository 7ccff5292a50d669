package io.idemgate.gateway.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jwt.JWTClaimsSet;
import io.idemgate.gateway.testsupport.Behaviour;
import io.idemgate.gateway.testsupport.PrometheusText;
import io.idemgate.gateway.testsupport.ProxyTestBed;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scope.jwt} end to end (SPEC §1): real tokens (RSA, EC, Ed25519, HMAC), a JWKS served over HTTPS
 * by a local server whose certificate the gateway is told to trust, and an upstream that counts
 * executions. Once per store: each subclass names the {@code idemgate.store} block.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class JwtScopeIT {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String ISSUER = "https://idp.test";

    private final TestTokens idpKeys = TestTokens.generate("idp1");
    private final TestTokens forger = TestTokens.generate("idp1"); // same kids, other keys
    private final TestTokens fileKeys = TestTokens.generate("file");
    private JwksServer idp;
    private JwksServer flakyIdp;
    private JwksServer rotatingIdp;
    private ProxyTestBed bed;
    private int seq;
    private String key;

    protected abstract String storeConfig();

    protected void stopStore() {
    }

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        String store = storeConfig() + "\n";
        idp = JwksServer.start(Files.createDirectories(dir.resolve("idp")), idpKeys.jwks());
        flakyIdp = JwksServer.start(Files.createDirectories(dir.resolve("flaky")), idpKeys.jwks());
        rotatingIdp = JwksServer.start(Files.createDirectories(dir.resolve("rotating")), idpKeys.jwks());
        Path jwksFile = dir.resolve("file-jwks.json");
        Files.writeString(jwksFile, fileKeys.jwks());
        bed = ProxyTestBed.start(url -> store + """
                idemgate.routes = [
                  { name = idp, match.path = "/idp/**", upstream { urls = ["%1$s"], response-timeout = 10s },
                    idempotency.scope.jwt { jwks-url = "%2$s", jwks-ca-file = "%3$s" } }
                  { name = flaky, match.path = "/flaky/**", upstream.urls = ["%1$s"],
                    idempotency.scope.jwt { jwks-url = "%4$s", jwks-ca-file = "%5$s", jwks-refresh = 1s } }
                  { name = file, match.path = "/file/**", upstream.urls = ["%1$s"],
                    idempotency.scope.jwt { jwks-file = "%6$s", claims = ["iss", "sub"], issuers = ["%7$s"] } }
                  { name = hs, match.path = "/hs/**", upstream.urls = ["%1$s"],
                    idempotency.scope.jwt.hs256-secret = "%8$s" }
                  { name = rotating, match.path = "/rotating/**", upstream.urls = ["%1$s"],
                    idempotency.scope.jwt { jwks-url = "%9$s", jwks-ca-file = "%10$s" } }
                  { name = down, match.path = "/down/**", upstream.urls = ["%1$s"],
                    idempotency.scope.jwt { jwks-url = "https://127.0.0.1:1/jwks" } }
                ]
                """.formatted(url, idp.url(), idp.caPem(), flakyIdp.url(), flakyIdp.caPem(), jwksFile, ISSUER,
                TestTokens.SECRET, rotatingIdp.url(), rotatingIdp.caPem()));
        Awaitility.await().atMost(WAIT).until(() -> metric("idemgate_jwks_fetches_total", "route", "idp", "result", "success") >= 1
                && metric("idemgate_jwks_fetches_total", "route", "flaky", "result", "success") >= 1
                && metric("idemgate_jwks_fetches_total", "route", "rotating", "result", "success") >= 1);
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (bed != null) {
                bed.close();
            }
            if (idp != null) {
                idp.close();
            }
            if (flakyIdp != null) {
                flakyIdp.close();
            }
            if (rotatingIdp != null) {
                rotatingIdp.close();
            }
        } finally {
            stopStore();
        }
    }

    @BeforeEach
    void freshKey() {
        key = "jwt-" + (++seq) + "-" + System.nanoTime();
        bed.upstream().reset(Behaviour.created());
    }

    private double metric(String name, String... labels) throws Exception {
        return PrometheusText.of(bed.gateway().get(bed.gateway().adminUri("/metrics")).body()).sum(name, labels);
    }

    private HttpResponse<String> post(String path, String token, Duration timeout) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(bed.gateway().uri(path)).timeout(timeout)
                .POST(HttpRequest.BodyPublishers.ofString("{\"amount\":100}"))
                .header("Content-Type", "application/json").header("Idempotency-Key", key);
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return bed.gateway().client().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String token) throws Exception {
        return post(path, token, WAIT);
    }

    private static void assertInvalidToken(HttpResponse<String> r) {
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Bearer error=\"invalid_token\"");
        assertThat(r.body()).contains("urn:idemgate:problem:invalid-token");
    }

    @Test
    void aRetryWithARefreshedTokenForTheSameSubjectIsReplayedNotExecutedAgain() throws Exception {
        bed.upstream().reset(Behaviour.delay(Duration.ofMillis(1500), Behaviour.created()));
        String token1 = idpKeys.rs256(TestTokens.claimsFor("alice"));
        assertThatThrownBy(() -> post("/idp/payments", token1, Duration.ofMillis(300)))
                .isInstanceOf(HttpTimeoutException.class); // the client gives up; the payment is under way

        String token2 = idpKeys.rs256(TestTokens.claimsFor("alice")); // refreshed: another jti, another exp
        assertThat(token2).isNotEqualTo(token1);
        HttpResponse<String> retry = post("/idp/payments", token2);

        assertThat(retry.statusCode()).isEqualTo(201);
        assertThat(retry.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(bed.upstream().requestCount()).isEqualTo(1);
        // The upstream authorises for itself: it got the header exactly as the client sent it.
        assertThat(bed.upstream().requests().get(0).header("Authorization")).isEqualTo("Bearer " + token1);
    }

    @Test
    void anotherSubjectWithTheSameKeyGetsItsOwnRecord() throws Exception {
        HttpResponse<String> alice = post("/idp/payments", idpKeys.es256(TestTokens.claimsFor("alice")));
        HttpResponse<String> bob = post("/idp/payments", idpKeys.es256(TestTokens.claimsFor("bob")));
        HttpResponse<String> aliceAgain = post("/idp/payments", idpKeys.edDsa(TestTokens.claimsFor("alice")));
        assertThat(alice.statusCode()).isEqualTo(201);
        assertThat(bob.statusCode()).isEqualTo(201);
        assertThat(bob.body()).isNotEqualTo(alice.body());
        assertThat(aliceAgain.body()).isEqualTo(alice.body());
        assertThat(bed.upstream().requestCount()).isEqualTo(2);
    }

    @Test
    void forgedMissingAndExpiredTokensGet401AndLeaveNoRecord() throws Exception {
        JWTClaimsSet alice = TestTokens.claimsFor("alice");
        List<String> refused = new ArrayList<>(List.of(
                forger.rs256(alice), forger.es256(alice), forger.edDsa(alice),
                TestTokens.unsecured(alice), idpKeys.hs256WithRsaPublicKey(alice), TestTokens.hs256(alice),
                idpKeys.rs256(TestTokens.claims("alice", Instant.now().minusSeconds(120)).build()),
                "garbage"));
        for (String token : refused) {
            assertInvalidToken(post("/idp/payments", token));
        }
        assertInvalidToken(post("/idp/payments", null));
        assertThat(bed.upstream().requestCount()).isZero();
        // Nothing was claimed under that key: a valid token runs it.
        assertThat(post("/idp/payments", idpKeys.rs256(alice)).statusCode()).isEqualTo(201);
        assertThat(bed.upstream().requestCount()).isEqualTo(1);
        assertThat(metric("idemgate_requests_total", "route", "idp", "outcome", "invalid_token")).isGreaterThanOrEqualTo(9);
    }

    @Test
    void aRotatedKeyIsFetchedOnItsFirstTokenAndARemovedOneStopsWorking() throws Exception {
        TestTokens next = TestTokens.generate("idp2");
        rotatingIdp.serve(next.jwks()); // the IdP rotates: new kids appear, the old ones disappear
        int fetchesBefore = rotatingIdp.fetches();
        HttpResponse<String> r = post("/rotating/payments", next.rs256(TestTokens.claimsFor("carol")));
        assertThat(r.statusCode()).isEqualTo(201);
        assertThat(rotatingIdp.fetches()).isEqualTo(fetchesBefore + 1);

        // An old-kid token that was never seen: the old key is gone, and another refetch is not due yet.
        key = key + "-old";
        assertInvalidToken(post("/rotating/payments", idpKeys.rs256(TestTokens.claimsFor("carol"))));
        assertInvalidToken(post("/rotating/payments", TestTokens.generate("bogus").rs256(TestTokens.claimsFor("carol"))));
        assertThat(rotatingIdp.fetches()).isEqualTo(fetchesBefore + 1); // forged kids do not make the gateway fetch in a loop
    }

    @Test
    void aFailedFetchKeepsTheKeysItHad() throws Exception {
        flakyIdp.failing(true);
        double failures = metric("idemgate_jwks_fetches_total", "route", "flaky", "result", "failure");
        // jwks-refresh = 1s: a verification after that starts a background refetch, which fails.
        Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
            key = "flaky-" + System.nanoTime();
            assertThat(post("/flaky/payments", idpKeys.rs256(TestTokens.claimsFor("dave"))).statusCode()).isEqualTo(201);
            assertThat(metric("idemgate_jwks_fetches_total", "route", "flaky", "result", "failure")).isGreaterThan(failures);
        });
        key = "flaky-after-" + System.nanoTime();
        assertThat(post("/flaky/payments", idpKeys.es256(TestTokens.claimsFor("dave"))).statusCode()).isEqualTo(201);
        flakyIdp.failing(false);
    }

    @Test
    void noKeysAtAllIs503WithRetryAfterNot401() throws Exception {
        HttpResponse<String> r = post("/down/payments", idpKeys.rs256(TestTokens.claimsFor("erin")));
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("Retry-After")).isPresent();
        assertThat(r.body()).contains("urn:idemgate:problem:token-verification-unavailable");
        assertThat(bed.upstream().requestCount()).isZero();
    }

    @Test
    void aJwksFileAndIssuerPlusSubjectClaims() throws Exception {
        Instant exp = Instant.now().plusSeconds(300);
        HttpResponse<String> ok = post("/file/payments", fileKeys.edDsa(TestTokens.claims("frank", exp).issuer(ISSUER).build()));
        assertThat(ok.statusCode()).isEqualTo(201);
        assertInvalidToken(post("/file/payments", fileKeys.edDsa(TestTokens.claims("frank", exp).issuer("https://evil.test").build())));
        HttpResponse<String> again = post("/file/payments", fileKeys.rs256(TestTokens.claims("frank", exp).issuer(ISSUER).build()));
        assertThat(again.body()).isEqualTo(ok.body());
        assertThat(bed.upstream().requestCount()).isEqualTo(1);
    }

    @Test
    void hs256WithASharedSecret() throws Exception {
        HttpResponse<String> first = post("/hs/payments", TestTokens.hs256(TestTokens.claimsFor("gina")));
        HttpResponse<String> refreshed = post("/hs/payments", TestTokens.hs256(TestTokens.claimsFor("gina")));
        assertThat(first.statusCode()).isEqualTo(201);
        assertThat(refreshed.body()).isEqualTo(first.body());
        assertInvalidToken(post("/hs/payments", idpKeys.rs256(TestTokens.claimsFor("gina"))));
        assertThat(bed.upstream().requestCount()).isEqualTo(1);
    }
}
