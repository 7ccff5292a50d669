package io.idemgate.gateway.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import io.idemgate.gateway.testsupport.Behaviour;
import io.idemgate.gateway.testsupport.GatewayFixture;
import io.idemgate.gateway.testsupport.PrometheusText;
import io.idemgate.gateway.testsupport.ProxyTestBed;
import io.idemgate.gateway.testsupport.RawHttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * SPEC §1 request flow against a real upstream that counts executions, once per store: each subclass
 * names the {@code idemgate.store} block its gateways run on. Each test uses its own keys, so the
 * shared gateway's records never interfere.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class IdempotencyIT {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static ProxyTestBed bed;
    private static String store = "";
    private static int keySeq;
    private String key;

    /** The {@code idemgate.store} config every gateway of this suite runs on; called once, before any starts. */
    protected abstract String storeConfig();

    /** Stops what {@link #storeConfig()} started, after the gateways have stopped. */
    protected void stopStore() {
    }

    @BeforeAll
    void start() throws Exception {
        store = storeConfig() + "\n";
        bed = ProxyTestBed.start(url -> routes("""
                { name = pay, match.path = "/pay/**", upstream.urls = ["%1$s"], upstream.response-timeout = 1s,
                  idempotency { max-request-body = 1k, max-response-body = 2k, wait-timeout = 5s } }
                { name = reject, match.path = "/reject/**", upstream.urls = ["%1$s"],
                  idempotency { concurrent = reject } }
                { name = shortwait, match.path = "/shortwait/**", upstream.urls = ["%1$s"],
                  idempotency { wait-timeout = 200ms } }
                { name = strictpay, match.path = "/strict/**", upstream.urls = ["%1$s"], upstream.response-timeout = 500ms,
                  idempotency { outcome-unknown = reject, fence-header = "Idempotency-Fence" } }
                { name = shadow, match.path = "/shadow/**", upstream.urls = ["%1$s"], idempotency { mode = shadow, max-request-body = 1k } }
                { name = doubleclick, match.path = "/form/**", upstream.urls = ["%1$s"], idempotency.mode = fingerprint }
                { name = waitroom, match.path = "/waitroom/**", upstream.urls = ["%1$s"] }
                { name = webhook, match.path = "/hooks/**", upstream.urls = ["%1$s"],
                  idempotency.key { json-pointer = "/event/id" } }
                """.formatted(url)));
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

    private static String routes(String routes) {
        return store + "idemgate.routes = [\n" + routes + "\n]\n";
    }

    @BeforeEach
    void freshKeyAndUpstream() {
        key = "key-" + (++keySeq) + "-" + System.nanoTime();
        bed.upstream().reset(Behaviour.created());
    }

    @AfterEach
    void nothingLeftInFlight() {
        org.awaitility.Awaitility.await().atMost(WAIT).until(() ->
                PrometheusText.of(get("/metrics")).sum("idemgate_inflight_requests") == 0
                        && PrometheusText.of(get("/metrics")).sum("idemgate_waiting_requests") == 0);
    }

    private static String get(String adminPath) throws Exception {
        return bed.gateway().get(bed.gateway().adminUri(adminPath)).body();
    }

    private HttpResponse<String> post(String path, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(bed.gateway().uri(path)).timeout(WAIT)
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json");
        if (headers.length > 0) {
            b.headers(headers);
        }
        return bed.gateway().client().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> postWithKey(String path, String body, String... more) throws Exception {
        List<String> h = new ArrayList<>(List.of("Idempotency-Key", key));
        h.addAll(List.of(more));
        return post(path, body, h.toArray(String[]::new));
    }

    // ---- first request, replay, mismatch

    @Test
    void aRetriedPostIsReplayedWithTheFirstStatusHeadersAndBodyAndRunsOnce() throws Exception {
        HttpResponse<String> first = postWithKey("/pay/orders", "{\"sku\":\"tea\"}");
        HttpResponse<String> retry = postWithKey("/pay/orders", "{\"sku\":\"tea\"}");
        assertThat(first.statusCode()).isEqualTo(201);
        assertThat(first.headers().firstValue("Idempotent-Replayed")).isEmpty();
        assertThat(retry.statusCode()).isEqualTo(201);
        assertThat(retry.body()).isEqualTo(first.body());
        assertThat(retry.headers().firstValue("Location")).isEqualTo(first.headers().firstValue("Location"));
        assertThat(retry.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(bed.upstream().requestCount()).isEqualTo(1);
    }

    @Test
    void theSameKeyWithADifferentPayloadGets422AndNeverReachesTheUpstream() throws Exception {
        postWithKey("/pay/orders", "{\"sku\":\"tea\"}");
        HttpResponse<String> other = postWithKey("/pay/orders", "{\"sku\":\"coffee\"}");
        assertThat(other.statusCode()).isEqualTo(422);
        assertThat(other.body()).contains("urn:idemgate:problem:idempotency-key-reused");
        assertThat(bed.upstream().requestCount()).isEqualTo(1);
    }

    @Test
    void aReserialisedJsonPayloadStillMatches() throws Exception {
        HttpResponse<String> first = postWithKey("/pay/orders", "{\"sku\":\"tea\",\"qty\":1}");
        HttpResponse<String> retry = postWithKey("/pay/orders", "{ \"qty\" : 1.0, \"sku\" : \"t\\u0065a\" }");
        assertThat(retry.statusCode()).isEqualTo(201);
        assertThat(retry.body()).isEqualTo(first.body());
        assertThat(bed.upstream().requestCount()).isEqualTo(1);
    }

    @Test
    void twoClientsWithDifferentAuthorizationAndTheSameKeyAreIsolated() throws Exception {
        HttpResponse<String> alice = postWithKey("/pay/orders", "{}", "Authorization", "Bearer alice");
        HttpResponse<String> bob = postWithKey("/pay/orders", "{}", "Authorization", "Bearer bob");
        assertThat(alice.statusCode()).isEqualTo(201);
        assertThat(bob.statusCode()).isEqualTo(201);
        assertThat(bob.body()).isNotEqualTo(alice.body());
        assertThat(bob.headers().firstValue("Idempotent-Replayed")).isEmpty();
        assertThat(bed.upstream().requestCount()).isEqualTo(2);
        HttpResponse<String> aliceAgain = postWithKey("/pay/orders", "{}", "Authorization", "Bearer alice");
        assertThat(aliceAgain.body()).isEqualTo(alice.body());
    }

    // ---- keys

    @Test
    void aMissingKeyGets400() throws Exception {
        HttpResponse<String> r = post("/pay/orders", "{}");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("urn:idemgate:problem:missing-idempotency-key");
        assertThat(bed.upstream().requestCount()).isZero();
    }

    @Test
    void anInvalidKeyGets400() throws Exception {
        for (String bad : new String[] {"x".repeat(256), "\"unterminated", "\"\""}) {
            HttpResponse<String> r = post("/pay/orders", "{}", "Idempotency-Key", bad);
            assertThat(r.statusCode()).as(bad).isEqualTo(400);
            assertThat(r.body()).contains("urn:idemgate:problem:invalid-idempotency-key");
        }
        assertThat(bed.upstream().requestCount()).isZero();
    }

    @Test
    void twoKeyHeadersInOneRequestAreInvalid() throws Exception {
        try (RawHttpClient raw = RawHttpClient.connect(bed.gateway().port())) {
            raw.send("POST /pay/orders HTTP/1.1\r\nHost: a\r\nIdempotency-Key: a\r\nIdempotency-Key: b\r\n"
                    + "Content-Length: 2\r\n\r\n{}");
            assertThat(raw.readResponse(WAIT).status()).isEqualTo(400);
        }
        assertThat(bed.upstream().requestCount()).isZero();
    }

    @Test
    void anSfStringKeyAndTheSameBareTokenKeyAreOneKey() throws Exception {
        HttpResponse<String> first = post("/pay/orders", "{}", "Idempotency-Key", "\"" + key + "\"");
        HttpResponse<String> retry = post("/pay/orders", "{}", "Idempotency-Key", key);
        assertThat(retry.body()).isEqualTo(first.body());
        assertThat(bed.upstream().requestCount()).isEqualTo(1);
    }

    @Test
    void aWebhookKeyIsReadFromTheJsonBody() throws Exception {
        String event = "{\"event\":{\"id\":\"" + key + "\",\"type\":\"paid\"}}";
        HttpResponse<String> first = post("/hooks/stripe", event);
        HttpResponse<String> redelivery = post("/hooks/stripe", event);
        assertThat(redelivery.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(redelivery.body()).isEqualTo(first.body());
        assertThat(bed.upstream().requestCount()).isEqualTo(1);
    }

    // ---- sizes

    @Test
    void aBodyOverTheLimitGets413AndNeverReachesTheUpstream() throws Exception {
        HttpResponse<String> r = postWithKey("/pay/orders", "{\"pad\":\"" + "x".repeat(2000) + "\"}");
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(bed.upstream().requestCount()).isZero();
    }

    @Test
    void aResponseOverTheLimitStreamsWholeAndRetriesGetItsHeadWithoutBodyAndNoReexecution() throws Exception {
        String big = "y".repeat(5000);
        bed.upstream().handle(Behaviour.respond(200, Map.of("Content-Type", "text/plain", "X-Order", "o-1"), big));
        HttpResponse<String> first = postWithKey("/pay/report", "{}");
        assertThat(first.body()).isEqualTo(big);
        HttpResponse<String> retry = postWithKey("/pay/report", "{}");
        assertThat(retry.statusCode()).isEqualTo(200);
        assertThat(retry.body()).isEmpty();
        assertThat(retry.headers().firstValue("Idempotency-Body-Omitted")).hasValue("true");
        assertThat(retry.headers().firstValue("X-Order")).hasValue("o-1");
        assertThat(bed.upstream().requestCount()).isEqualTo(1);
    }

    // ---- what the first request's outcome does to the key

    @Test
    void a5xxAnswerReleasesTheKeySoTheRetryExecutesAgain() throws Exception {
        bed.upstream().handle(Behaviour.respond(503, "busy"));
        assertThat(postWithKey("/pay/orders", "{}").statusCode()).isEqualTo(503);
        bed.upstream().handle(Behaviour.created());
        HttpResponse<String> retry = postWithKey("/pay/orders", "{}");
        assertThat(retry.statusCode()).isEqualTo(201);
        assertThat(retry.headers().firstValue("Idempotent-Replayed")).isEmpty();
        assertThat(bed.upstream().requestCount()).isEqualTo(2);
    }

    @Test
    void a429AnswerReleasesTheKey() throws Exception {
        bed.upstream().handle(Behaviour.respond(429, "slow down"));
        assertThat(postWithKey("/pay/orders", "{}").statusCode()).isEqualTo(429);
        bed.upstream().handle(Behaviour.created());
        assertThat(postWithKey("/pay/orders", "{}").statusCode()).isEqualTo(201);
        assertThat(bed.upstream().requestCount()).isEqualTo(2);
    }

    @Test
    void a4xxAnswerIsStoredAndReplayed() throws Exception {
        bed.upstream().handle(Behaviour.respond(402, "card declined"));
        assertThat(postWithKey("/pay/orders", "{}").statusCode()).isEqualTo(402);
        HttpResponse<String> retry = postWithKey("/pay/orders", "{}");
        assertThat(retry.statusCode()).isEqualTo(402);
        assertThat(retry.body()).isEqualTo("card declined");
        assertThat(bed.upstream().requestCount()).isEqualTo(1);
    }

    @Test
    void anUnreachableUpstreamGives502AndReleasesTheKey() throws Exception {
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        try (GatewayFixture g = GatewayFixture.start(routes("{ name = down, match.path = \"/**\", upstream.urls = [\"http://127.0.0.1:"
                + closedPort + "\"] }"))) {
            for (int i = 0; i < 2; i++) {
                HttpResponse<String> r = g.client().send(HttpRequest.newBuilder(g.uri("/x"))
                        .POST(HttpRequest.BodyPublishers.ofString("{}")).header("Idempotency-Key", key).build(),
                        HttpResponse.BodyHandlers.ofString());
                // Released, not stuck: the retry is tried again (502 again), never 409.
                assertThat(r.statusCode()).isEqualTo(502);
            }
        }
    }

    @Test
    void aTimeoutAfterSendingMakesTheOutcomeUnknownAndTheRetryExecutesAgainByDefault() throws Exception {
        bed.upstream().handle(Behaviour.never());
        assertThat(postWithKey("/pay/orders", "{}").statusCode()).isEqualTo(504);
        bed.upstream().handle(Behaviour.created());
        HttpResponse<String> retry = postWithKey("/pay/orders", "{}");
        assertThat(retry.statusCode()).isEqualTo(201);
        assertThat(bed.upstream().requestCount()).isEqualTo(2);
    }

    @Test
    void aConnectionResetAfterSendingGives502AndMakesTheOutcomeUnknown() throws Exception {
        bed.upstream().handle(Behaviour.closeWithoutResponse());
        HttpResponse<String> first = postWithKey("/strict/charge", "{}");
        assertThat(first.statusCode()).isEqualTo(502);
        assertThat(first.body()).contains("urn:idemgate:problem:upstream-failed");
        bed.upstream().handle(Behaviour.created());
        HttpResponse<String> retry = postWithKey("/strict/charge", "{}");
        assertThat(retry.statusCode()).isEqualTo(409);
        assertThat(retry.body()).contains("urn:idemgate:problem:outcome-unknown");
        assertThat(bed.upstream().requestCount()).isEqualTo(1);
    }

    @Test
    void withOutcomeUnknownRejectTheRetryOfATimedOutRequestGets409UntilPurged() throws Exception {
        bed.upstream().handle(Behaviour.never());
        assertThat(postWithKey("/strict/charge", "{}").statusCode()).isEqualTo(504);
        bed.upstream().handle(Behaviour.created());
        HttpResponse<String> retry = postWithKey("/strict/charge", "{}");
        assertThat(retry.statusCode()).isEqualTo(409);
        assertThat(retry.body()).contains("urn:idemgate:problem:outcome-unknown");
        assertThat(retry.headers().firstValue("Retry-After")).isPresent();
        assertThat(bed.upstream().requestCount()).isEqualTo(1);
    }

    @Test
    void theFencingNumberIsForwardedWhenConfigured() throws Exception {
        // Fences are floored by the store's clock in microseconds: far above 1, and growing.
        long before = System.currentTimeMillis() * 1_000;
        postWithKey("/strict/charge", "{}");
        assertThat(Long.parseLong(bed.upstream().requests().get(0).header("Idempotency-Fence")))
                .isGreaterThanOrEqualTo(before);
    }

    @Test
    void eachAttemptAfterA5xxReleasedTheKeyCarriesAStrictlyHigherFence() throws Exception {
        // Issue #13: fences grow across releases (not back to a start value), as the upstream sees them.
        bed.upstream().handle(Behaviour.respond(503, "busy"));
        assertThat(postWithKey("/strict/charge", "{}").statusCode()).isEqualTo(503);
        assertThat(postWithKey("/strict/charge", "{}").statusCode()).isEqualTo(503);
        bed.upstream().handle(Behaviour.created());
        assertThat(postWithKey("/strict/charge", "{}").statusCode()).isEqualTo(201);

        List<Long> fences = bed.upstream().requests().stream()
                .map(r -> Long.parseLong(r.header("Idempotency-Fence"))).toList();
        assertThat(fences).hasSize(3).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void aClientThatDisconnectsMidFlightLeavesAResultThatTheRetryReplays() throws Exception {
        bed.upstream().handle(Behaviour.delay(Duration.ofMillis(500), Behaviour.created()));
        try (RawHttpClient raw = RawHttpClient.connect(bed.gateway().port())) {
            raw.send("POST /pay/orders HTTP/1.1\r\nHost: a\r\nIdempotency-Key: " + key
                    + "\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");
            bed.upstream().awaitRequests(1, WAIT);
        } // closed before the upstream answers
        HttpResponse<String> retry = postWithKey("/pay/orders", "{}");
        assertThat(retry.statusCode()).isEqualTo(201);
        assertThat(retry.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(retry.body()).isEqualTo("{\"id\":\"res_1\"}");
        assertThat(bed.upstream().requestCount()).isEqualTo(1);
    }

    // ---- concurrency

    @Test
    void twoHundredConcurrentRequestsWithOneKeyExecuteOnceAndAllGetTheSameBody() throws Exception {
        bed.upstream().handle(Behaviour.delay(Duration.ofMillis(300), Behaviour.created()));
        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            all.add(bed.gateway().client().sendAsync(HttpRequest.newBuilder(bed.gateway().uri("/pay/orders")).timeout(WAIT)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"sku\":\"tea\"}"))
                    .header("Idempotency-Key", key).header("Content-Type", "application/json").build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        String firstBody = all.get(0).get().body();
        for (CompletableFuture<HttpResponse<String>> f : all) {
            assertThat(f.get().statusCode()).isEqualTo(201);
            assertThat(f.get().body()).isEqualTo(firstBody);
        }
        assertThat(bed.upstream().requestCount()).isEqualTo(1);
    }

    @Test
    void aDuplicateThatWaitsLongerThanWaitTimeoutGets409WithRetryAfter() throws Exception {
        bed.upstream().handle(Behaviour.delay(Duration.ofSeconds(2), Behaviour.created()));
        CompletableFuture<HttpResponse<String>> first = bed.gateway().client().sendAsync(HttpRequest.newBuilder(
                        bed.gateway().uri("/shortwait/orders")).POST(HttpRequest.BodyPublishers.ofString("{}"))
                .header("Idempotency-Key", key).build(), HttpResponse.BodyHandlers.ofString());
        bed.upstream().awaitRequests(1, WAIT);
        HttpResponse<String> dup = postWithKey("/shortwait/orders", "{}");
        assertThat(dup.statusCode()).isEqualTo(409);
        assertThat(dup.body()).contains("urn:idemgate:problem:request-in-flight");
        assertThat(dup.headers().firstValue("Retry-After")).isPresent();
        assertThat(first.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(201);
        assertThat(bed.upstream().requestCount()).isEqualTo(1);
    }

    @Test
    void withConcurrentRejectADuplicateInFlightGets409AtOnce() throws Exception {
        bed.upstream().handle(Behaviour.delay(Duration.ofSeconds(1), Behaviour.created()));
        CompletableFuture<HttpResponse<String>> first = bed.gateway().client().sendAsync(HttpRequest.newBuilder(
                        bed.gateway().uri("/reject/orders")).POST(HttpRequest.BodyPublishers.ofString("{}"))
                .header("Idempotency-Key", key).build(), HttpResponse.BodyHandlers.ofString());
        bed.upstream().awaitRequests(1, WAIT);
        HttpResponse<String> dup = postWithKey("/reject/orders", "{}");
        assertThat(dup.statusCode()).isEqualTo(409);
        assertThat(dup.headers().firstValue("Retry-After")).isPresent();
        assertThat(first.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(201);
    }

    @Test
    void parkedDuplicatesShowInTheWaitingGaugeUntilTheyAreAnswered() throws Exception {
        bed.upstream().handle(Behaviour.delay(Duration.ofSeconds(3), Behaviour.created()));
        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        all.add(bed.gateway().client().sendAsync(HttpRequest.newBuilder(bed.gateway().uri("/waitroom/orders"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).header("Idempotency-Key", key).build(),
                HttpResponse.BodyHandlers.ofString()));
        bed.upstream().awaitRequests(1, WAIT);
        for (int i = 0; i < 5; i++) {
            all.add(bed.gateway().client().sendAsync(HttpRequest.newBuilder(bed.gateway().uri("/waitroom/orders"))
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).header("Idempotency-Key", key).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        org.awaitility.Awaitility.await().atMost(WAIT).until(() ->
                PrometheusText.of(get("/metrics")).sum("idemgate_waiting_requests") == 5);
        assertThat(PrometheusText.of(get("/metrics")).sum("idemgate_inflight_requests")).isEqualTo(1);
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        for (CompletableFuture<HttpResponse<String>> r : all) {
            assertThat(r.get().statusCode()).isEqualTo(201);
        }
        org.awaitility.Awaitility.await().atMost(WAIT).until(() ->
                PrometheusText.of(get("/metrics")).sum("idemgate_waiting_requests") == 0);
    }

    @Test
    void aReleasedKeyWakesItsWaitersAndExactlyOneOfThemExecutes() throws Exception {
        // The first attempt fails with 500 after a while; 20 duplicates wait; one re-executes, the rest replay it.
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        Behaviour failOnceThenCreate = exchange -> calls.incrementAndGet() == 1
                ? Behaviour.delay(Duration.ofMillis(400), Behaviour.respond(500, "boom")).begin(exchange)
                : Behaviour.created().begin(exchange);
        bed.upstream().handle(failOnceThenCreate);
        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        all.add(bed.gateway().client().sendAsync(HttpRequest.newBuilder(bed.gateway().uri("/pay/orders"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).header("Idempotency-Key", key).build(),
                HttpResponse.BodyHandlers.ofString()));
        bed.upstream().awaitRequests(1, WAIT);
        for (int i = 0; i < 20; i++) {
            all.add(bed.gateway().client().sendAsync(HttpRequest.newBuilder(bed.gateway().uri("/pay/orders"))
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).header("Idempotency-Key", key).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        assertThat(all.get(0).get().statusCode()).isEqualTo(500);
        assertThat(bed.upstream().requestCount()).isEqualTo(2);
        String body = all.get(1).get().body();
        for (int i = 1; i < all.size(); i++) {
            assertThat(all.get(i).get().statusCode()).isEqualTo(201);
            assertThat(all.get(i).get().body()).isEqualTo(body);
        }
    }

    // ---- modes

    @Test
    void shadowModeEnforcesNothingButCountsFirstsAndDuplicates() throws Exception {
        double firsts = metric("shadow_first");
        double dups = metric("shadow_duplicate");
        postWithKey("/shadow/orders", "{}");
        HttpResponse<String> dup = postWithKey("/shadow/orders", "{}");
        assertThat(dup.headers().firstValue("Idempotent-Replayed")).isEmpty();
        assertThat(bed.upstream().requestCount()).isEqualTo(2);
        assertThat(metric("shadow_first")).isEqualTo(firsts + 1);
        assertThat(metric("shadow_duplicate")).isEqualTo(dups + 1);
    }

    @Test
    void shadowModeNeverRefusesARequestItCannotRecord() throws Exception {
        HttpResponse<String> invalidKey = post("/shadow/orders", "{}", "Idempotency-Key", "\"unterminated");
        assertThat(invalidKey.statusCode()).isEqualTo(201);
        String big = "{\"pad\":\"" + "z".repeat(5000) + "\"}";
        HttpResponse<String> tooBig = postWithKey("/shadow/orders", big);
        assertThat(tooBig.statusCode()).isEqualTo(201);
        assertThat(bed.upstream().requestCount()).isEqualTo(2);
        assertThat(bed.upstream().requests().get(1).bodyLength()).isEqualTo(big.length());
        // Chunked, so the limit is only found while aggregating: what was read goes on first.
        HttpResponse<String> chunked = bed.gateway().client().send(HttpRequest.newBuilder(bed.gateway().uri("/shadow/orders"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(
                        big.getBytes(java.nio.charset.StandardCharsets.UTF_8))))
                .header("Idempotency-Key", key + "-chunked").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(chunked.statusCode()).isEqualTo(201);
        assertThat(bed.upstream().requests().get(2).bodyAsString()).isEqualTo(big);
    }

    @Test
    void fingerprintModeCatchesADoubleSubmitWithoutAnyKey() throws Exception {
        String form = "{\"order\":\"" + key + "\"}";
        HttpResponse<String> first = post("/form/submit", form);
        HttpResponse<String> second = post("/form/submit", form);
        assertThat(second.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(second.body()).isEqualTo(first.body());
        assertThat(bed.upstream().requestCount()).isEqualTo(1);
    }

    @Test
    void methodsOutsideTheIdempotentSetPassThrough() throws Exception {
        HttpResponse<String> r1 = bed.gateway().get(bed.gateway().uri("/pay/orders/1"));
        HttpResponse<String> r2 = bed.gateway().get(bed.gateway().uri("/pay/orders/1"));
        assertThat(r1.body()).isNotEqualTo(r2.body());
        assertThat(bed.upstream().requestCount()).isEqualTo(2);
    }

    private static double metric(String outcome) throws Exception {
        return PrometheusText.of(get("/metrics")).sum("idemgate_requests_total", "route", "shadow", "outcome", outcome);
    }
}
