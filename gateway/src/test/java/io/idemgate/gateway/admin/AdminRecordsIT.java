package io.idemgate.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.idemgate.gateway.testsupport.Behaviour;
import io.idemgate.gateway.testsupport.GatewayFixture;
import io.idemgate.gateway.testsupport.ProxyTestBed;
import io.idemgate.gateway.testsupport.TestJson;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * SPEC §4 {@code /admin/records} against a real gateway and a real upstream, once per store (each subclass
 * names the {@code idemgate.store} block): what an operator sees of a record, how scope narrows the lookup,
 * and that a purge lets a retry execute.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AdminRecordsIT {

    static final String TOKEN = "t0ken";
    static final Duration WAIT = Duration.ofSeconds(10);
    static ProxyTestBed bed;
    private static String store = "";
    private static int keySeq;
    String key;

    /** The {@code idemgate.store} config of every gateway of this suite; called once, before any starts. */
    protected abstract String storeConfig();

    /** Stops what {@link #storeConfig()} started, after the gateways have stopped. */
    protected void stopStore() {
    }

    @BeforeAll
    void start() throws Exception {
        store = storeConfig() + "\n";
        bed = ProxyTestBed.start(url -> config(url, TOKEN));
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (bed != null) {
                bed.close();
            }
        } finally {
            stopStore();
        }
    }

    static String config(String upstreamUrl, String token) {
        return store + """
                idemgate.admin.token = "%2$s"
                idemgate.routes = [
                  { name = pay, match.path = "/pay/**", upstream.urls = ["%1$s"] }
                  { name = strict, match.path = "/strict/**", upstream.urls = ["%1$s"], upstream.response-timeout = 300ms,
                    idempotency.outcome-unknown = reject }
                ]
                """.formatted(upstreamUrl, token);
    }

    @BeforeEach
    void freshKeyAndUpstream() {
        key = "rec-" + (++keySeq) + "-" + System.nanoTime();
        bed.upstream().reset(Behaviour.created());
    }

    // ---- inspecting

    @Test
    void aCompletedRecordShowsItsStatusAndHeaderNamesButNoStoredValues() throws Exception {
        HttpResponse<String> first = post("/pay/orders");
        assertThat(first.statusCode()).isEqualTo(201);

        HttpResponse<String> r = admin("GET", "route=pay&key=" + key, TOKEN);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        Map<String, Object> record = TestJson.object(r.body());
        assertThat(record).containsEntry("route", "pay").containsEntry("state", "completed")
                .containsEntry("status", 201L).containsEntry("body_omitted", false)
                .containsKeys("key_hash", "fingerprint", "created_at", "completed_at", "expires_at")
                .doesNotContainKeys("body", "body_encoding", "owner");
        assertThat((Long) record.get("fence")).as("fences start at the clock in microseconds").isGreaterThan(1L);
        assertThat(record.get("key_hash")).isNotEqualTo(key);
        assertThat(r.body()).doesNotContain(key);
        // Header values are stored data (Set-Cookie, a Location with a token): names only unless asked for.
        assertThat(record.get("headers")).asList().contains("Location");
        assertThat(r.body()).doesNotContain(first.headers().firstValue("Location").orElseThrow());
    }

    @Test
    void theStoredBodyAndHeaderValuesAreShownWhenAskedFor() throws Exception {
        HttpResponse<String> first = post("/pay/orders");
        Map<String, Object> record = TestJson.object(admin("GET", "route=pay&key=" + key + "&body=true", TOKEN).body());
        assertThat(record).containsEntry("body", first.body()).containsEntry("body_encoding", "utf-8");
        assertThat(record.get("headers")).asList().contains(List.of("Location", first.headers().firstValue("Location").orElseThrow()));
    }

    @Test
    void aBodyThatIsNotUtf8IsShownAsBase64() throws Exception {
        byte[] binary = {(byte) 0xff, 0x00, (byte) 0xc3, 0x28};
        bed.upstream().handle(Behaviour.respond(201, Map.of("Content-Type", "application/octet-stream"), binary));
        post("/pay/blobs");
        Map<String, Object> record = TestJson.object(admin("GET", "route=pay&key=" + key + "&body=true", TOKEN).body());
        assertThat(record).containsEntry("body_encoding", "base64")
                .containsEntry("body", Base64.getEncoder().encodeToString(binary));
    }

    @Test
    void aRecordMadeWithAuthorizationIsFoundOnlyWithTheMatchingScope() throws Exception {
        post("/pay/orders", "Authorization", "Bearer alice");
        assertThat(admin("GET", "route=pay&key=" + key, TOKEN).statusCode()).isEqualTo(404);
        assertThat(admin("GET", "route=pay&key=" + key + "&scope=" + enc("Bearer bob"), TOKEN).statusCode())
                .isEqualTo(404);
        HttpResponse<String> found = admin("GET", "route=pay&key=" + key + "&scope=" + enc("Bearer alice"), TOKEN);
        assertThat(found.statusCode()).isEqualTo(200);
        assertThat(found.body()).doesNotContain("alice");
    }

    @Test
    void anOutcomeUnknownRecordShowsItsStateAndAPurgeLetsTheRetryExecute() throws Exception {
        bed.upstream().handle(Behaviour.never());
        assertThat(post("/strict/charge").statusCode()).isEqualTo(504);
        bed.upstream().handle(Behaviour.created());
        assertThat(post("/strict/charge").statusCode()).isEqualTo(409);

        Map<String, Object> record = TestJson.object(admin("GET", "route=strict&key=" + key, TOKEN).body());
        assertThat(record).containsEntry("state", "outcome_unknown").containsKeys("reason", "since", "expires_at")
                .doesNotContainKeys("status", "headers");

        assertThat(admin("DELETE", "route=strict&key=" + key, TOKEN).statusCode()).isEqualTo(200);
        assertThat(post("/strict/charge").statusCode()).isEqualTo(201);
        assertThat(bed.upstream().requestCount()).isEqualTo(2);
    }

    // ---- purging

    @Test
    void aPurgedRecordIsGoneAndTheRetryExecutesAgain() throws Exception {
        HttpResponse<String> first = post("/pay/orders");
        HttpResponse<String> purge = admin("DELETE", "route=pay&key=" + key, TOKEN);
        assertThat(purge.statusCode()).isEqualTo(200);
        assertThat(TestJson.object(purge.body())).containsEntry("deleted", true);

        assertThat(admin("GET", "route=pay&key=" + key, TOKEN).statusCode()).isEqualTo(404);
        assertThat(admin("DELETE", "route=pay&key=" + key, TOKEN).statusCode()).isEqualTo(404);
        HttpResponse<String> retry = post("/pay/orders");
        assertThat(retry.statusCode()).isEqualTo(201);
        assertThat(retry.headers().firstValue("Idempotent-Replayed")).isEmpty();
        assertThat(retry.body()).isNotEqualTo(first.body());
        assertThat(bed.upstream().requestCount()).isEqualTo(2);
    }

    @Test
    void aPurgeNeedsTheMatchingScopeToo() throws Exception {
        post("/pay/orders", "Authorization", "Bearer alice");
        assertThat(admin("DELETE", "route=pay&key=" + key, TOKEN).statusCode()).isEqualTo(404);
        assertThat(admin("DELETE", "route=pay&key=" + key + "&scope=" + enc("Bearer alice"), TOKEN).statusCode())
                .isEqualTo(200);
    }

    // ---- refusals

    @Test
    void withoutATokenOrWithAWrongOneTheAnswerIs401() throws Exception {
        post("/pay/orders");
        for (String method : List.of("GET", "DELETE")) {
            HttpResponse<String> none = admin(method, "route=pay&key=" + key, null);
            HttpResponse<String> wrong = admin(method, "route=pay&key=" + key, "not-" + TOKEN);
            assertThat(none.statusCode()).isEqualTo(401);
            assertThat(wrong.statusCode()).isEqualTo(401);
            assertThat(wrong.body()).contains("urn:idemgate:problem:admin-unauthorized");
        }
        assertThat(admin("GET", "route=pay&key=" + key, TOKEN).statusCode()).isEqualTo(200);
    }

    @Test
    void withNoTokenConfiguredTheEndpointsAnswer403() throws Exception {
        try (GatewayFixture open = GatewayFixture.start(config(bed.upstream().url(), ""))) {
            for (String method : List.of("GET", "DELETE")) {
                HttpResponse<String> r = send(open, method, "route=pay&key=any", "anything");
                assertThat(r.statusCode()).isEqualTo(403);
                assertThat(r.body()).contains("urn:idemgate:problem:admin-token-not-configured");
            }
        }
    }

    @Test
    void anUnknownRouteOrKeyIs404() throws Exception {
        HttpResponse<String> route = admin("GET", "route=nope&key=" + key, TOKEN);
        assertThat(route.statusCode()).isEqualTo(404);
        assertThat(route.body()).contains("urn:idemgate:problem:admin-no-such-route");
        HttpResponse<String> record = admin("GET", "route=pay&key=" + key, TOKEN);
        assertThat(record.statusCode()).isEqualTo(404);
        assertThat(record.body()).contains("urn:idemgate:problem:admin-record-not-found")
                .contains("no record for this route, key and scope");
        assertThat(admin("DELETE", "route=nope&key=" + key, TOKEN).statusCode()).isEqualTo(404);
    }

    @Test
    void aMalformedQueryIs400AndNeverEchoesTheScope() throws Exception {
        assertThat(admin("GET", "route=pay", TOKEN).statusCode()).isEqualTo(400);
        assertThat(admin("GET", "key=" + key, TOKEN).statusCode()).isEqualTo(400);
        assertThat(admin("GET", "route=pay&key=" + key + "&scopes=x", TOKEN).statusCode()).isEqualTo(400);
        assertThat(admin("GET", "route=pay&key=" + key + "&body=yes", TOKEN).statusCode()).isEqualTo(400);
        assertThat(admin("DELETE", "route=pay&key=" + key + "&body=true", TOKEN).statusCode()).isEqualTo(400);
        HttpResponse<String> tooMany = admin("GET",
                "route=pay&key=" + key + "&scope=secret-one&scope=secret-two", TOKEN);
        assertThat(tooMany.statusCode()).isEqualTo(400);
        assertThat(tooMany.body()).contains("urn:idemgate:problem:admin-bad-query").doesNotContain("secret");
    }

    // ---- helpers

    HttpResponse<String> post(String path, String... headers) throws Exception {
        return post(bed.gateway(), path, headers);
    }

    HttpResponse<String> post(GatewayFixture g, String path, String... headers) throws Exception {
        List<String> h = new ArrayList<>(List.of("Idempotency-Key", key, "Content-Type", "application/json"));
        h.addAll(List.of(headers));
        HttpRequest request = HttpRequest.newBuilder(g.uri(path)).timeout(WAIT)
                .POST(HttpRequest.BodyPublishers.ofString("{\"sku\":\"tea\"}")).headers(h.toArray(String[]::new))
                .build();
        return g.client().send(request, HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> admin(String method, String query, String token) throws Exception {
        return send(bed.gateway(), method, query, token);
    }

    private static HttpResponse<String> send(GatewayFixture g, String method, String query, String token)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(g.adminUri("/admin/records?" + query)).timeout(WAIT)
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return g.client().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
