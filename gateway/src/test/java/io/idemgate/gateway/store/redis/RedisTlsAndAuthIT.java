package io.idemgate.gateway.store.redis;

import static io.idemgate.gateway.testsupport.FreePorts.freePort;
import static org.assertj.core.api.Assertions.assertThat;

import io.idemgate.gateway.testsupport.Behaviour;
import io.idemgate.gateway.testsupport.GatewayProcess;
import io.idemgate.gateway.testsupport.RedisServer;
import io.idemgate.gateway.testsupport.TestCertificates;
import io.idemgate.gateway.testsupport.TestUpstream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #13: the shipped jar against a redis-server that wants TLS ({@code rediss://}, a CA made for the test)
 * and a password (an ACL user, and {@code requirepass} for the default user). With the right credentials and
 * a trust store holding the CA, the gateway claims and replays; a wrong password, a missing one, or a
 * certificate the JVM does not trust stops the start with exit 1 and one line that says what to check,
 * without the password.
 */
class RedisTlsAndAuthIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String USER = "payments";
    private static final String PASSWORD = "pay-s3cret-pw";
    private static final String DEFAULT_PASSWORD = "default-s3cret-pw";
    private static final String TRUST_PASSWORD = "changeit";

    @TempDir
    static Path dir;
    private static RedisServer redis;
    private static int tlsPort;
    private static Path trustStore;
    private static TestUpstream upstream;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private GatewayProcess gateway;

    @BeforeAll
    static void start() throws Exception {
        TestCertificates ca = TestCertificates.newCa(dir, "redis");
        TestCertificates.Issued server = ca.issue("redis-server");
        trustStore = trustStoreOf(ca.caCert());
        tlsPort = freePort();
        redis = RedisServer.startWith(List.of("--tls-port", Integer.toString(tlsPort),
                "--tls-cert-file", server.cert().toString(), "--tls-key-file", server.key().toString(),
                "--tls-ca-cert-file", ca.caCert().toString(), "--tls-auth-clients", "no",
                "--requirepass", DEFAULT_PASSWORD,
                "--user", USER, "on", ">" + PASSWORD, "~*", "&*", "+@all"));
        upstream = TestUpstream.start();
        upstream.handle(Behaviour.created());
    }

    @AfterAll
    static void stop() {
        try {
            if (upstream != null) {
                upstream.close();
            }
        } finally {
            if (redis != null) {
                redis.close();
            }
        }
    }

    @AfterEach
    void stopGateway() throws Exception {
        if (gateway != null) {
            gateway.close();
            assertThat(gateway.log()).as("gateway process log").doesNotContain("LEAK:")
                    .doesNotContain(PASSWORD).doesNotContain(DEFAULT_PASSWORD);
        }
    }

    @Test
    void overTlsAnAclUserWithItsPasswordClaimsAndReplays() throws Exception {
        gateway = start("rediss://" + USER + ":" + PASSWORD + "@127.0.0.1:" + tlsPort, trustOptions())
                .awaitHealthy(WAIT);
        assertClaimsAndReplays("tls-acl");
    }

    @Test
    void overTlsTheDefaultUserWithRequirepassClaimsAndReplays() throws Exception {
        gateway = start("rediss://:" + DEFAULT_PASSWORD + "@127.0.0.1:" + tlsPort, trustOptions()).awaitHealthy(WAIT);
        assertClaimsAndReplays("tls-default");
    }

    @Test
    void aWrongPasswordStopsTheStartAndSaysToCheckIt() throws Exception {
        gateway = start("rediss://" + USER + ":not-" + PASSWORD + "@127.0.0.1:" + tlsPort, trustOptions());

        assertThat(gateway.awaitExit(WAIT)).isEqualTo(1);
        assertThat(gateway.log()).contains("idemgate: cannot reach Redis at 127.0.0.1:" + tlsPort)
                .contains("WRONGPASS").contains("check the user and password").contains("idemgate.store.redis.uri")
                .doesNotContain("\tat ").doesNotContain("not-" + PASSWORD);
    }

    @Test
    void noPasswordWhereRedisWantsOneStopsTheStartAndSaysToCheckIt() throws Exception {
        gateway = start("redis://127.0.0.1:" + redis.port(), List.of());

        assertThat(gateway.awaitExit(WAIT)).isEqualTo(1);
        assertThat(gateway.log()).contains("idemgate: cannot reach Redis at 127.0.0.1:" + redis.port())
                .contains("NOAUTH").contains("check the user and password").doesNotContain("\tat ");
    }

    @Test
    void aCertificateTheJvmDoesNotTrustStopsTheStartAndSaysToCheckTls() throws Exception {
        gateway = start("rediss://" + USER + ":" + PASSWORD + "@127.0.0.1:" + tlsPort, List.of());

        assertThat(gateway.awaitExit(WAIT)).isEqualTo(1);
        assertThat(gateway.log()).contains("idemgate: cannot reach Redis at 127.0.0.1:" + tlsPort)
                .contains("trusts its certificate").doesNotContain("\tat ");
    }

    private GatewayProcess start(String redisUri, List<String> jvmOptions) throws Exception {
        return GatewayProcess.start(dir, "gateway-" + System.nanoTime(), """
                idemgate {
                  defaults.idempotency.scope.when-missing = shared
                  store { type = redis, redis { uri = "%s", command-timeout = 3s } }
                  routes = [ { name = pay, match.path = "/pay/**", upstream.urls = ["%s"] } ]
                }
                """.formatted(redisUri, upstream.url()), jvmOptions);
    }

    private void assertClaimsAndReplays(String name) throws Exception {
        String key = name + "-" + System.nanoTime();
        int before = upstream.requestCount();
        HttpResponse<String> first = post(key);
        HttpResponse<String> retry = post(key);

        assertThat(first.statusCode()).isEqualTo(201);
        assertThat(first.headers().firstValue("Idempotent-Replayed")).isEmpty();
        assertThat(retry.statusCode()).isEqualTo(201);
        assertThat(retry.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(retry.body()).isEqualTo(first.body());
        assertThat(upstream.requestCount() - before).as("executions").isEqualTo(1);
        assertThat(client.send(HttpRequest.newBuilder(gateway.adminUri("/readyz")).timeout(WAIT).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    }

    private HttpResponse<String> post(String key) throws Exception {
        return client.send(HttpRequest.newBuilder(gateway.uri("/pay/charge")).timeout(WAIT)
                .header("Content-Type", "application/json").header("Idempotency-Key", key)
                .POST(HttpRequest.BodyPublishers.ofString("{\"amount\":1}")).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static List<String> trustOptions() {
        return List.of("-Djavax.net.ssl.trustStore=" + trustStore, "-Djavax.net.ssl.trustStoreType=PKCS12",
                "-Djavax.net.ssl.trustStorePassword=" + TRUST_PASSWORD);
    }

    /** A PKCS#12 trust store holding only the test CA, as an operator would hand the JVM for a private CA. */
    private static Path trustStoreOf(Path caCert) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        try (InputStream in = Files.newInputStream(caCert)) {
            store.setCertificateEntry("redis-ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        Path file = dir.resolve("truststore.p12");
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, TRUST_PASSWORD.toCharArray());
        }
        return file;
    }
}
