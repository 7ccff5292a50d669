package io.idemgate.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;

/** Each bad value is reported with its origin line, its full key path, the problem and the value. */
class ConfigProblemsTest {

    /** Line 1 of every route below is "idemgate.routes = [". */
    private static String routes(String body) {
        return "idemgate.routes = [\n" + body + "\n]\n";
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> loading(String hocon) {
        return assertThatThrownBy(() -> ConfigLoader.parse(hocon, "t.conf")).isInstanceOf(ConfigLoadException.class);
    }

    @Test
    void unknownEnumValueListsTheAllowedOnes() {
        loading(routes("""
                { name = a, match.path = "/", upstream.urls = ["http://h:1"]
                  idempotency.concurrent = hurry }"""))
                .hasMessageContaining("t.conf: 3: idemgate.routes[0].idempotency.concurrent: "
                        + "unknown value; allowed: wait | reject (got \"hurry\")");
    }

    @Test
    void enumValuesAreCaseInsensitiveAndDashesMeanUnderscores() {
        GatewayConfig config = ConfigLoader.parse(routes("""
                { name = a, match.path = "/", upstream.urls = ["http://h:1"]
                  idempotency { on-store-failure = FAIL-open, mode = Shadow } }"""), "t.conf");

        assertThat(config.routes().get(0).idempotency().onStoreFailure()).isEqualTo(IdempotencyConfig.OnStoreFailure.FAIL_OPEN);
        assertThat(config.routes().get(0).idempotency().mode()).isEqualTo(IdempotencyConfig.Mode.SHADOW);
    }

    @Test
    void negativeDurationIsRejected() {
        loading("idemgate {\n  store.redis.command-timeout = -5ms\n}")
                .hasMessageContaining("t.conf: 2: idemgate.store.redis.command-timeout: must be greater than zero (got \"-5ms\")");
    }

    @Test
    void minReplicasIsRefusedWithACluster() {
        loading("idemgate.store.redis {\n  mode = cluster\n  uri = [\"redis://a:7000\"]\n  min-replicas = 1\n}")
                .hasMessageContaining("t.conf: 4: idemgate.store.redis.min-replicas: is not supported with mode = cluster");
    }

    @Test
    void memoryBoundsAreAutoOrSizes() {
        StoreConfig.Memory memory = ConfigLoader.parse("idemgate.store.memory { max-entries = 500, max-bytes = 64m }",
                "t.conf").store().memory();
        assertThat(memory).isEqualTo(new StoreConfig.Memory(500, 64L << 20));
        loading("idemgate.store.memory.max-bytes = 10k")
                .hasMessageContaining("idemgate.store.memory.max-bytes");
    }

    @Test
    void minReplicasAndTheirTimeoutAreRead() {
        StoreConfig.Redis redis = ConfigLoader.parse("idemgate.store.redis {\n  min-replicas = 2\n  replica-timeout = 40ms\n}",
                "t.conf").store().redis();
        assertThat(redis.minReplicas()).isEqualTo(2);
        assertThat(redis.replicaTimeout()).isEqualTo(java.time.Duration.ofMillis(40));
    }

    @Test
    void zeroTtlIsRejectedButZeroShutdownGraceIsNot() {
        loading("idemgate.server.shutdown-grace = 0s\nidemgate.defaults.idempotency.ttl = 0")
                .hasMessageContaining("t.conf: 2: idemgate.defaults.idempotency.ttl: must be greater than zero (got 0)")
                .hasMessageNotContaining("shutdown-grace");
    }

    @Test
    void anInvalidTtlIsOneProblemWithoutAKnockOnLeaseProblem() {
        ConfigLoadException e = catchThrowableOfType(() -> ConfigLoader.parse("idemgate.defaults.idempotency.ttl = -1s",
                "t.conf"), ConfigLoadException.class);

        assertThat(e.problems()).containsExactly(
                "t.conf: 1: idemgate.defaults.idempotency.ttl: must be greater than zero (got \"-1s\")");
    }

    @Test
    void aLeaseLongerThanTheTtlNamesTheTtlAsWritten() {
        loading("idemgate.defaults.idempotency { ttl = 10s, lease = 1m }")
                .hasMessageContaining("idemgate.defaults.idempotency.lease: must not be longer than ttl (10s)")
                .hasMessageNotContaining("PT");
    }

    @Test
    void aBadDefaultIsReportedOnceNotOncePerRoute() {
        ConfigLoadException e = catchThrowableOfType(() -> ConfigLoader.parse("idemgate.defaults.idempotency.lease = -1s\n"
                + "idemgate.routes = [ { name = a, match.path = \"/a\", upstream.urls = [\"http://h:1\"] },\n"
                + "                    { name = b, match.path = \"/b\", upstream.urls = [\"http://h:1\"] } ]", "t.conf"),
                ConfigLoadException.class);

        assertThat(e.problems()).containsExactly(
                "t.conf: 1: idemgate.defaults.idempotency.lease: must be greater than zero (got \"-1s\")");
    }

    @Test
    void aDefaultsBlockOfTheWrongTypeIsOneProblem() {
        ConfigLoadException e = catchThrowableOfType(() -> ConfigLoader.parse(
                "idemgate.defaults.upstream = fast\n" + routes("{ name = a, match.path = \"/\", upstream.urls = [\"http://h:1\"] }"),
                "t.conf"), ConfigLoadException.class);

        assertThat(e.problems()).containsExactly(
                "t.conf: 1: idemgate.defaults.upstream: must be a block { ... } (got \"fast\")");
    }

    @Test
    void malformedDurationSaysWhatIsExpected() {
        loading("idemgate.server.idle-timeout = soon")
                .hasMessageContaining("t.conf: 1: idemgate.server.idle-timeout: expected a duration such as 500ms, 30s or 24h (got \"soon\")");
    }

    @Test
    void malformedUpstreamUrlIsRejected() {
        loading(routes("""
                { name = a, match.path = "/"
                  upstream.urls = ["http://h:1", "http://h:2/api?x=1"] }"""))
                .hasMessageContaining("t.conf: 3: idemgate.routes[0].upstream.urls[1]: must not contain a query or fragment "
                        + "(got \"http://h:2/api?x=1\")");
    }

    @Test
    void upstreamUrlWithPathOrUserInfoIsRejected() {
        loading(routes("""
                { name = a, match.path = "/"
                  upstream.urls = ["http://h:1/api", "http://u:p@h:2", "ftp://h"] }"""))
                .hasMessageContaining("idemgate.routes[0].upstream.urls[0]: must not contain a path")
                .hasMessageContaining("idemgate.routes[0].upstream.urls[1]: must not contain user info")
                .hasMessageContaining("idemgate.routes[0].upstream.urls[2]: must be an http://host[:port] or https://host[:port] URL");
    }

    @Test
    void anUpstreamClientCertificateNeedsItsKey() {
        loading(routes("""
                { name = a, match.path = "/"
                  upstream { urls = ["https://pay.internal"], tls.key = "k.pem" } }"""))
                .hasMessageContaining("idemgate.routes[0].upstream.tls.cert: must be set together with key");
    }

    @Test
    void duplicateRouteNameNamesBothLines() {
        loading(routes("""
                { name = a, match.path = "/a", upstream.urls = ["http://h:1"] }
                { name = b, match.path = "/b", upstream.urls = ["http://h:1"] }
                { name = a, match.path = "/c", upstream.urls = ["http://h:1"] }"""))
                .hasMessageContaining("t.conf: 4: idemgate.routes[2].name: duplicate route name; first defined at t.conf: 2 (got \"a\")");
    }

    @Test
    void routeNameIsRequiredAndMustBeALabel() {
        loading(routes("""
                { match.path = "/a", upstream.urls = ["http://h:1"] }
                { name = "pay ments", match.path = "/b", upstream.urls = ["http://h:1"] }"""))
                .hasMessageContaining("t.conf: 2: idemgate.routes[0].name: is required")
                .hasMessageContaining("t.conf: 3: idemgate.routes[1].name: must match [A-Za-z0-9_.-]+");
    }

    @Test
    void routeWithoutUpstreamIsRejected() {
        loading(routes("""
                { name = a
                  match.path = "/" }"""))
                .hasMessageContaining("t.conf: 2: idemgate.routes[0].upstream: is required");
    }

    @Test
    void routeWithEmptyUrlsIsRejected() {
        loading(routes("""
                { name = a, match.path = "/"
                  upstream { urls = [] } }"""))
                .hasMessageContaining("t.conf: 3: idemgate.routes[0].upstream.urls: must name at least one upstream");
    }

    @Test
    void unknownKeyInARouteListsTheAllowedOnes() {
        loading(routes("""
                { name = a, match.path = "/", upstream.urls = ["http://h:1"]
                  upstrem.urls = ["http://h:2"]
                  idempotency { tll = 1h } }"""))
                .hasMessageContaining("t.conf: 3: idemgate.routes[0].upstrem: unknown key; "
                        + "allowed here: idempotency, match, name, upstream")
                .hasMessageContaining("t.conf: 4: idemgate.routes[0].idempotency.tll: unknown key; allowed here: ")
                .hasMessageContaining("ttl");
    }

    @Test
    void unknownKeyOutsideRoutesIsRejectedToo() {
        loading("idemgate {\n  server { prot = 80 }\n}")
                .hasMessageContaining("t.conf: 2: idemgate.server.prot: unknown key; allowed here: h2c, host, http2, idle-timeout");
    }

    @Test
    void badPathGlobsAreRejected() {
        loading(routes("""
                { name = a, match.path = "/v1/pay**", upstream.urls = ["http://h:1"] }
                { name = b, match.path = "v1/**", upstream.urls = ["http://h:1"] }
                { name = c, match.path = "/v1?x", upstream.urls = ["http://h:1"] }
                { name = d, match {}, upstream.urls = ["http://h:1"] }"""))
                .hasMessageContaining("t.conf: 2: idemgate.routes[0].match.path: * and ** must be whole path segments, as in /v1/*/items or /v1/** (got \"/v1/pay**\")")
                .hasMessageContaining("t.conf: 3: idemgate.routes[1].match.path: must start with /")
                .hasMessageContaining("t.conf: 4: idemgate.routes[2].match.path: must be a plain path")
                .hasMessageContaining("t.conf: 5: idemgate.routes[3].match.path: is required");
    }

    @Test
    void badStatusEntryIsRejected() {
        loading(routes("""
                { name = a, match.path = "/", upstream.urls = ["http://h:1"]
                  idempotency.store-status = ["2xx",
                                              "6xx"] }"""))
                .hasMessageContaining("t.conf: 4: idemgate.routes[0].idempotency.store-status[1]: "
                        + "'6xx' is neither a status class like \"2xx\" nor a status code (got \"6xx\")");
    }

    @Test
    void badPortIsRejected() {
        loading("idemgate.admin.port = -1")
                .hasMessageContaining("t.conf: 1: idemgate.admin.port: must be between 0 and 65535 (got -1)");
    }

    @Test
    void serverAndAdminCannotShareAFixedPort() {
        loading("idemgate.server.port = 9090")
                .hasMessageContaining("idemgate.admin.port: must differ from idemgate.server.port (9090)");
    }

    @Test
    void badHeaderNamesMethodsAndPointersAreRejected() {
        loading(routes("""
                { name = a, upstream.urls = ["http://h:1"]
                  match { path = "/", methods = ["GE T"] }
                  idempotency { methods = [POST, "P(ST"], scope.headers = ["X Tenant"], fence-header = "a:b",
                    fingerprint.ignore-json-fields = ["ts"], key { json-pointer = "id", max-length = 0 } } }"""))
                .hasMessageContaining("idemgate.routes[0].match.methods[0]: must be an HTTP method token")
                .hasMessageContaining("idemgate.routes[0].idempotency.methods[1]: must be an HTTP method token")
                .hasMessageContaining("idemgate.routes[0].idempotency.scope.headers[0]: must be a valid header name")
                .hasMessageContaining("idemgate.routes[0].idempotency.fence-header: must be empty or a valid header name")
                .hasMessageContaining("idemgate.routes[0].idempotency.fingerprint.ignore-json-fields[0]: must be a JSON pointer")
                .hasMessageContaining("idemgate.routes[0].idempotency.key.json-pointer: must be empty or a JSON pointer")
                .hasMessageContaining("idemgate.routes[0].idempotency.key.max-length: must be between 1 and 8192 (got 0)");
    }

    @Test
    void badBodySizesAreRejected() {
        loading("idemgate.defaults.idempotency { max-request-body = 0, max-response-body = lots }")
                .hasMessageContaining("idemgate.defaults.idempotency.max-request-body: must be at least 1 (got 0)")
                .hasMessageContaining("idemgate.defaults.idempotency.max-response-body: expected a size such as 64k or 1m");
    }

    @Test
    void redisUrisAreCheckedAgainstTheMode() {
        loading("""
                idemgate.store.redis {
                  uri = ["redis://a:1", "redis-sentinel://b:2/#m", "http://c"]
                }""")
                .hasMessageContaining("t.conf: 2: idemgate.store.redis.uri: a list of several URIs needs mode = cluster")
                .hasMessageContaining("idemgate.store.redis.uri[1]: redis-sentinel:// is only valid with mode = sentinel")
                .hasMessageContaining("idemgate.store.redis.uri[2]: scheme must be redis://, rediss:// or redis-sentinel://");
    }

    @Test
    void aSentinelUriLoadsWithSentinelMode() {
        GatewayConfig config = ConfigLoader.parse(
                "idemgate.store.redis { mode = sentinel, uri = \"redis-sentinel://s1:26379,s2:26379/#mymaster\" }", "t.conf");

        assertThat(config.store().redis().uris()).containsExactly("redis-sentinel://s1:26379,s2:26379/#mymaster");
    }

    @Test
    void wrongTypeIsReportedWithThePath() {
        loading(routes("""
                { name = a, match.path = "/", upstream.urls = ["http://h:1"]
                  idempotency.key.required = perhaps }"""))
                .hasMessageContaining("t.conf: 3: idemgate.routes[0].idempotency.key.required: expected true or false (got \"perhaps\")");
    }

    @Test
    void everyProblemIsReportedOnItsOwnLine() {
        ConfigLoadException e = catchThrowableOfType(() -> ConfigLoader.parse("""
                idemgate.server.port = 99999
                idemgate.logging.format = xml
                idemgate.routes = [ { name = a } ]
                """, "t.conf"), ConfigLoadException.class);

        assertThat(e.problems()).containsExactly(
                "t.conf: 1: idemgate.server.port: must be between 0 and 65535 (got 99999)",
                "t.conf: 2: idemgate.logging.format: unknown value; allowed: text | json (got \"xml\")",
                "t.conf: 3: idemgate.routes[0].match: is required",
                "t.conf: 3: idemgate.routes[0].upstream: is required");
        assertThat(e.getMessage().lines()).hasSize(5).first().asString()
                .isEqualTo("Invalid configuration t.conf (4 problems):");
    }

    @Test
    void syntaxErrorsAndUnresolvedSubstitutionsAreWrapped() {
        loading("idemgate.routes = [ { name = a ")
                .hasMessageContaining("t.conf: 1:");
        loading("idemgate.admin.token = ${NOT_SET_ANYWHERE_XYZ}")
                .hasMessageContaining("t.conf: 1: Could not resolve substitution to a value: ${NOT_SET_ANYWHERE_XYZ}");
    }

    @Test
    void aJwtScopeNeedsExactlyOneKeySourceAnHttpsUrlAndALongSecretThatIsNeverPrinted() {
        Throwable both = catchThrowableOfType(ConfigLoadException.class, () -> ConfigLoader.parse(routes("""
                { name = a, match.path = "/", upstream.urls = ["http://h:1"]
                  idempotency.scope.jwt { jwks-url = "http://idp/jwks", hs256-secret = "short-secret-value" } }"""), "t.conf"));
        assertThat(both.getMessage())
                .contains("idemgate.routes[0].idempotency.scope.jwt: set exactly one of jwks-file, jwks-url, hs256-secret")
                .contains("idemgate.routes[0].idempotency.scope.jwt.jwks-url: must be an https:// URL")
                .contains("idemgate.routes[0].idempotency.scope.jwt.hs256-secret: must be at least 32 bytes")
                .doesNotContain("short-secret-value");
        loading(routes("""
                { name = a, match.path = "/", upstream.urls = ["http://h:1"]
                  idempotency.scope.jwt { jwks-file = "/nonexistent/jwks.json", claims = [] } }"""))
                .hasMessageContaining("scope.jwt.jwks-file: cannot be read")
                .hasMessageContaining("scope.jwt.claims: must name at least one claim");
        loading(routes("""
                { name = a, match.path = "/", upstream.urls = ["http://h:1"]
                  idempotency.scope.jwt { jwks-url = "https://idp/jwks", jwks-ca-file = "pom.xml" } }"""))
                .hasMessageContaining("scope.jwt.jwks-ca-file: ");
    }
}
