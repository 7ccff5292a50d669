package io.idemgate.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import io.idemgate.gateway.idempotency.FingerprintPolicy;
import io.idemgate.gateway.idempotency.KeyPolicy;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    private static final String FULL = """
            idemgate {
              server { host = "127.0.0.1", port = 0, io-threads = 2, idle-timeout = 5s,
                       max-initial-line-length = 4k, max-header-size = 8k, max-chunk-size = 32k,
                       shutdown-grace = 0s, via-name = "edge" }
              admin { host = "127.0.0.1", port = 0, token = "s3cret" }
              store {
                type = REDIS
                memory.max-entries = 10
                redis { uri = ["redis://a:7000", "redis://b:7001"], mode = cluster,
                        key-prefix = "ig:", command-timeout = 100ms }
              }
              logging { format = json, access-log = false }
              routes = [
                {
                  name = payments
                  match { host = "API.example.com", path = "/v1/payments/**", methods = [post, GET] }
                  upstream {
                    urls = ["http://127.0.0.1:8081", "http://localhost/"]
                    connect-timeout = 1s
                    response-timeout = 20s
                    max-connections = 8
                    max-pending-acquires = 0
                    pool-idle-timeout = 10s
                  }
                  idempotency {
                    mode = fingerprint
                    methods = [post]
                    key { header = "X-Key", json-pointer = "/id", required = false, max-length = 64, strict = true }
                    scope { headers = ["Authorization", "X-Tenant"], when-missing = shared }
                    fingerprint { headers = ["Content-Type"], json = false, ignore-json-fields = ["/ts"] }
                    ttl = 1h
                    lease = 10s
                    concurrent = reject
                    wait-timeout = 2s
                    store-status = ["2xx"]
                    release-status = [409, "429"]
                    max-request-body = 64k
                    max-response-body = 2m
                    outcome-unknown = reject
                    fence-header = "Idempotency-Fence"
                    on-store-failure = fail-open
                  }
                }
              ]
            }
            """;

    @Test
    void aFullConfigParsesToTheExpectedRecords() {
        GatewayConfig config = ConfigLoader.parse(FULL, "full.conf");

        assertThat(config.origin()).isEqualTo("full.conf");
        assertThat(config.server()).isEqualTo(new ServerConfig("127.0.0.1", 0, 2, Duration.ofSeconds(5),
                4096, 8192, 32768, Duration.ZERO, "edge", Duration.ofSeconds(10), Duration.ofSeconds(30), 256L << 20,
                null, false, new Http2Config(100, 16384, 65536, 200, Duration.ofSeconds(30), 10000)));
        assertThat(config.admin()).isEqualTo(new AdminConfig("127.0.0.1", 0, "s3cret"));
        assertThat(config.admin().toString()).doesNotContain("s3cret");
        assertThat(config.store()).isEqualTo(new StoreConfig(StoreConfig.Type.REDIS, new StoreConfig.Memory(10),
                new StoreConfig.Redis(List.of("redis://a:7000", "redis://b:7001"), StoreConfig.Redis.Mode.CLUSTER,
                        "ig:", Duration.ofMillis(100))));
        assertThat(config.logging()).isEqualTo(new LoggingConfig(LoggingConfig.Format.JSON, false, ""));

        RouteConfig route = config.routes().get(0);
        assertThat(route.name()).isEqualTo("payments");
        assertThat(route.match()).isEqualTo(new MatchConfig(Optional.of("api.example.com"), "/v1/payments/**",
                Set.of("POST", "GET")));
        assertThat(route.upstream()).isEqualTo(new UpstreamConfig(
                List.of(URI.create("http://127.0.0.1:8081"), URI.create("http://localhost:80")),
                Duration.ofSeconds(1), Duration.ofSeconds(20), 8, 0, Duration.ofSeconds(10),
                new UpstreamTlsConfig("idemgate.routes[0].upstream.tls", null, null, true)));
        assertThat(route.idempotency()).isEqualTo(new IdempotencyConfig(
                IdempotencyConfig.Mode.FINGERPRINT,
                Set.of("POST"),
                new KeyPolicy("X-Key", "/id", false, 64, true),
                new IdempotencyConfig.Scope(List.of("Authorization", "X-Tenant"), IdempotencyConfig.WhenMissing.SHARED),
                new FingerprintPolicy(List.of("Content-Type"), false, List.of("/ts")),
                Duration.ofHours(1), Duration.ofSeconds(10),
                IdempotencyConfig.Concurrent.REJECT, Duration.ofSeconds(2),
                StatusSet.parse(List.of("2xx")), StatusSet.parse(List.of("409", "429")),
                64 * 1024, 2 * 1024 * 1024,
                IdempotencyConfig.OutcomeUnknown.REJECT, "Idempotency-Fence",
                IdempotencyConfig.OnStoreFailure.FAIL_OPEN, new IdempotencyConfig.Replay(List.of())));
    }

    @Test
    void anEmptyFileGivesTheReferenceDefaultsAndNoRoutes() {
        GatewayConfig config = ConfigLoader.parse("", "empty.conf");

        assertThat(config.server()).isEqualTo(new ServerConfig("0.0.0.0", 8080, 0, Duration.ofSeconds(60),
                8192, 16384, 65536, Duration.ofSeconds(30), "idemgate", Duration.ofSeconds(10), Duration.ofSeconds(30),
                256L << 20, null, false, new Http2Config(100, 16384, 65536, 200, Duration.ofSeconds(30), 10000)));
        assertThat(config.admin().host()).isEqualTo("127.0.0.1");
        assertThat(config.admin().port()).isEqualTo(9090);
        assertThat(config.store().type()).isEqualTo(StoreConfig.Type.MEMORY);
        assertThat(config.store().memory()).as("auto: sized from the heap").isEqualTo(new StoreConfig.Memory(0, 0));
        assertThat(config.store().memory().effectiveMaxBytes()).isEqualTo(Runtime.getRuntime().maxMemory() / 4);
        assertThat(config.store().redis()).isEqualTo(new StoreConfig.Redis(List.of("redis://127.0.0.1:6379"),
                StoreConfig.Redis.Mode.STANDALONE, "idemgate:", Duration.ofMillis(250)));
        assertThat(config.logging().accessLog()).isTrue();
        assertThat(config.routes()).isEmpty();
    }

    @Test
    void routeDefaultsMergeUnderEachRouteAndTheRouteWins() {
        GatewayConfig config = ConfigLoader.parse("""
                idemgate.defaults.idempotency.ttl = 2h
                idemgate.routes = [
                  { name = a, match.path = "/a/**", upstream { urls = ["http://127.0.0.1:1"], response-timeout = 5s },
                    idempotency { lease = 5s, key.max-length = 32 } }
                  { name = b, match.path = "/b", upstream.urls = ["http://127.0.0.1:2"] }
                ]
                """, "merge.conf");

        RouteConfig a = config.routes().get(0);
        assertThat(a.upstream().responseTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(a.upstream().connectTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(a.upstream().maxConnections()).isEqualTo(512);
        assertThat(a.idempotency().lease()).isEqualTo(Duration.ofSeconds(5));
        assertThat(a.idempotency().ttl()).isEqualTo(Duration.ofHours(2));
        assertThat(a.idempotency().key()).isEqualTo(new KeyPolicy("Idempotency-Key", "", true, 32, false));

        IdempotencyConfig b = config.routes().get(1).idempotency();
        assertThat(b.mode()).isEqualTo(IdempotencyConfig.Mode.KEY);
        assertThat(b.methods()).containsExactlyInAnyOrder("POST", "PATCH");
        assertThat(b.ttl()).isEqualTo(Duration.ofHours(2));
        assertThat(b.lease()).isEqualTo(Duration.ofSeconds(30));
        assertThat(b.waitTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(b.scope()).isEqualTo(new IdempotencyConfig.Scope(List.of("Authorization"), IdempotencyConfig.WhenMissing.REJECT));
        assertThat(b.fingerprint()).isEqualTo(new FingerprintPolicy(List.of(), true, List.of()));
        assertThat(b.storeStatus()).isEqualTo(StatusSet.parse(List.of("2xx", "4xx")));
        assertThat(b.releaseStatus()).isEqualTo(StatusSet.parse(List.of("408", "409", "425", "429")));
        assertThat(b.maxRequestBody()).isEqualTo(1024 * 1024);
        assertThat(b.maxResponseBody()).isEqualTo(1024 * 1024);
        assertThat(b.outcomeUnknown()).isEqualTo(IdempotencyConfig.OutcomeUnknown.REEXECUTE);
        assertThat(b.fenceHeader()).isEmpty();
        assertThat(b.onStoreFailure()).isEqualTo(IdempotencyConfig.OnStoreFailure.FAIL_CLOSED);
        assertThat(config.routes().get(1).match().methods()).isEmpty();
        assertThat(config.routes().get(1).match().host()).isEmpty();
    }

    @Test
    void anUnsetOptionalSubstitutionKeepsTheDefault() {
        GatewayConfig config = ConfigLoader.parse("""
                idemgate.server.port = ${?IDEMGATE_TEST_SURELY_UNSET_PORT}
                idemgate.admin.token = ${?IDEMGATE_TEST_SURELY_UNSET_TOKEN}
                """, "env.conf");

        assertThat(config.server().port()).isEqualTo(8080);
        assertThat(config.admin().tokenConfigured()).isFalse();
    }

    @Test
    void aSetSubstitutionAndASystemPropertyOverrideWin() {
        System.setProperty("IDEMGATE_TEST_PORT", "18080");
        System.setProperty("idemgate.admin.port", "19090");
        ConfigFactory.invalidateCaches();
        try {
            GatewayConfig config = ConfigLoader.parse("""
                    idemgate.server.port = 1
                    idemgate.server.port = ${?IDEMGATE_TEST_PORT}
                    idemgate.admin.port = 2
                    """, "env.conf");

            assertThat(config.server().port()).isEqualTo(18080);
            assertThat(config.admin().port()).isEqualTo(19090);
        } finally {
            System.clearProperty("IDEMGATE_TEST_PORT");
            System.clearProperty("idemgate.admin.port");
            ConfigFactory.invalidateCaches();
        }
    }

    @Test
    void tlsAndHttp2KeysParse() {
        GatewayConfig config = ConfigLoader.parse("""
                idemgate.server { tls { cert = "c.pem", key = "k.pem" }, h2c = true, http2.max-concurrent-streams = 7 }
                idemgate.admin.tls { cert = "a.pem", key = "ak.pem" }
                idemgate.routes = [{ name = r, match.path = "/**", upstream {
                  urls = ["https://Up.example"], tls { ca = "ca.pem", cert = "cc.pem", key = "ck.pem", verify = false } } }]
                """, "tls.conf");

        assertThat(config.server().tls()).isEqualTo(new TlsFiles("idemgate.server.tls", Path.of("c.pem"), Path.of("k.pem")));
        assertThat(config.server().h2c()).isTrue();
        assertThat(config.server().http2().maxConcurrentStreams()).isEqualTo(7);
        assertThat(config.admin().tls()).isEqualTo(new TlsFiles("idemgate.admin.tls", Path.of("a.pem"), Path.of("ak.pem")));
        UpstreamConfig upstream = config.routes().get(0).upstream();
        assertThat(upstream.urls()).containsExactly(URI.create("https://up.example:443"));
        assertThat(upstream.tls()).isEqualTo(new UpstreamTlsConfig("idemgate.routes[0].upstream.tls", Path.of("ca.pem"),
                new TlsFiles("idemgate.routes[0].upstream.tls", Path.of("cc.pem"), Path.of("ck.pem")), false));
    }

    @Test
    void warmUpIsADurationFromZeroToSixtySeconds() {
        assertThat(ConfigLoader.parse("idemgate.server.warm-up = 2500ms", "w.conf").server().warmUp())
                .isEqualTo(Duration.ofMillis(2500));
        assertThat(ConfigLoader.parse("idemgate.server.warm-up = 0s", "w.conf").server().warmUp()).isZero();
        assertThatThrownBy(() -> ConfigLoader.parse("idemgate.server.warm-up = 61s", "w.conf"))
                .isInstanceOf(ConfigLoadException.class)
                .hasMessageContaining("idemgate.server.warm-up: must be at most 60s");
        assertThatThrownBy(() -> ConfigLoader.parse("idemgate.server.warm-up = -1s", "w.conf"))
                .isInstanceOf(ConfigLoadException.class)
                .hasMessageContaining("idemgate.server.warm-up: must not be negative");
    }

    @Test
    void aCertificateWithoutItsKeyIsAProblem() {
        assertThatThrownBy(() -> ConfigLoader.parse("idemgate.server.tls.cert = \"c.pem\"\n", "half.conf"))
                .isInstanceOf(ConfigLoadException.class)
                .hasMessageContaining("idemgate.server.tls.key: must be set together with cert");
    }

    @Test
    void loadReadsAFileAndUsesItsPathAsOrigin(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("gw.conf");
        Files.writeString(file, "idemgate.server.port = 8181\n");

        GatewayConfig config = ConfigLoader.load(file);

        assertThat(config.server().port()).isEqualTo(8181);
        assertThat(config.origin()).isEqualTo(file.toString());
    }

    @Test
    void problemsInAFileNameTheFileAndLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.conf");
        Files.writeString(file, "idemgate {\n  server.port = 70000\n}\n");

        assertThatThrownBy(() -> ConfigLoader.load(file))
                .isInstanceOf(ConfigLoadException.class)
                .hasMessageContaining(file + ": 2: idemgate.server.port: must be between 0 and 65535 (got 70000)");
    }

    @Test
    void loadOfAMissingFileSaysSo(@TempDir Path dir) {
        Path missing = dir.resolve("nope.conf");

        assertThatThrownBy(() -> ConfigLoader.load(missing))
                .isInstanceOf(ConfigLoadException.class)
                .hasMessageContaining("config file not found")
                .hasMessageContaining(missing.toAbsolutePath().toString());
    }

    @Test
    void theSampleConfigLoads() {
        GatewayConfig config = ConfigLoader.load(Path.of("..", "config", "gateway.conf"));

        assertThat(config.routes()).extracting(RouteConfig::name).containsExactly("demo");
        RouteConfig demo = config.routes().get(0);
        assertThat(demo.match().path()).isEqualTo("/**");
        assertThat(demo.upstream().urls()).containsExactly(URI.create("http://127.0.0.1:8081"));
        assertThat(demo.idempotency().appliesTo("POST")).isTrue();
    }

    @Test
    void thePaymentsExampleLoads() {
        GatewayConfig config = ConfigLoader.load(Path.of("..", "config", "examples", "payments.conf"));

        IdempotencyConfig payments = config.routes().get(0).idempotency();
        assertThat(payments.outcomeUnknown()).isEqualTo(IdempotencyConfig.OutcomeUnknown.REJECT);
        assertThat(payments.concurrent()).isEqualTo(IdempotencyConfig.Concurrent.REJECT);
        assertThat(payments.fenceHeader()).isEqualTo("Idempotency-Fence");
        assertThat(config.store().type()).isEqualTo(StoreConfig.Type.REDIS);
    }

    @Test
    void theOAuthPaymentsExampleLoadsWithAJwtScope() {
        GatewayConfig config = ConfigLoader.load(Path.of("..", "config", "examples", "oauth-payments.conf"));

        IdempotencyConfig.Jwt jwt = config.routes().get(0).idempotency().scope().jwt().orElseThrow();
        assertThat(jwt.jwksUrl()).hasValue(URI.create("https://idp.example.com/.well-known/jwks.json"));
        assertThat(jwt.claims()).containsExactly("iss", "sub");
        assertThat(jwt.audiences()).containsExactly("payments-api");
        assertThat(jwt.header()).isEqualTo("Authorization");
        assertThat(config.routes().get(1).idempotency().scope().jwt()).isEmpty();
    }
}
