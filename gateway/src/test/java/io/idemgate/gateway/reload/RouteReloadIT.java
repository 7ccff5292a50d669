package io.idemgate.gateway.reload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.idemgate.gateway.testsupport.Behaviour;
import io.idemgate.gateway.testsupport.GatewayFixture;
import io.idemgate.gateway.testsupport.PrometheusText;
import io.idemgate.gateway.testsupport.TestUpstream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Route rules reloaded from the config file while the gateway serves traffic. */
class RouteReloadIT {

    private static final String TOKEN = "reload-token-1";

    private static TestUpstream upstreamA;
    private static TestUpstream upstreamB;

    @TempDir
    Path dir;
    private GatewayFixture gateway;

    @BeforeAll
    static void startUpstreams() {
        upstreamA = TestUpstream.start();
        upstreamB = TestUpstream.start();
    }

    @AfterAll
    static void stopUpstreams() {
        upstreamA.close();
        upstreamB.close();
    }

    @BeforeEach
    void answerByName() {
        upstreamA.handle(Behaviour.respond(200, "from A"));
        upstreamB.handle(Behaviour.respond(200, "from B"));
    }

    @AfterEach
    void stopGateway() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
    }

    /** One route to {@code upstreamUrl}, the admin token set, file watching off unless {@code extra} says so. */
    private static String config(String upstreamUrl, String extra) {
        return GatewayFixture.oneRoute("api", upstreamUrl, "")
                + "idemgate.admin.token = \"" + TOKEN + "\"\n"
                + "idemgate.reload.watch-file = false\n"
                + extra;
    }

    private String get(String path) throws Exception {
        HttpResponse<String> r = gateway.client().send(HttpRequest.newBuilder(gateway.uri(path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() + " " + r.body();
    }

    private PrometheusText metrics() throws Exception {
        return PrometheusText.of(gateway.client().send(HttpRequest.newBuilder(gateway.adminUri("/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }

    @Test
    void newRequestsGoToTheNewUpstreamWhileTheInFlightOneFinishesOnTheOld() throws Exception {
        upstreamA.handle(Behaviour.delay(Duration.ofMillis(1500), Behaviour.respond(200, "slow A")));
        gateway = GatewayFixture.startFromFile(dir, config(upstreamA.url(), ""));
        upstreamA.clearRequests();
        CompletableFuture<HttpResponse<String>> inFlight = gateway.client().sendAsync(
                HttpRequest.newBuilder(gateway.uri("/slow")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        upstreamA.awaitRequests(1, Duration.ofSeconds(5));

        gateway.rewriteConfig(config(upstreamB.url(), ""));
        HttpResponse<String> reload = gateway.postReload(TOKEN);

        assertThat(reload.statusCode()).isEqualTo(200);
        assertThat(reload.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(reload.body()).isEqualTo("{\"reloaded\":true,\"routes\":1}");
        assertThat(inFlight).isNotDone();
        assertThat(get("/next")).isEqualTo("200 from B");
        HttpResponse<String> slow = inFlight.get(10, TimeUnit.SECONDS);
        assertThat(slow.statusCode()).isEqualTo(200);
        assertThat(slow.body()).isEqualTo("slow A");
        assertThat(metrics().value("idemgate_config_reloads_total", "result", "success")).isEqualTo(1.0);
    }

    @Test
    void aSyntaxErrorKeepsTheOldRoutesAndAnswers422WithFileAndLine() throws Exception {
        gateway = GatewayFixture.startFromFile(dir, config(upstreamA.url(), ""));
        gateway.rewriteConfig("idemgate {\n  routes = [ { name = api, match { path = \"/**\" \n");

        HttpResponse<String> reload = gateway.postReload(TOKEN);

        assertThat(reload.statusCode()).isEqualTo(422);
        assertThat(reload.headers().firstValue("content-type")).hasValue("application/problem+json");
        assertThat(reload.body()).contains("urn:idemgate:problem:config-invalid")
                .contains(gateway.configFile().getFileName().toString());
        assertThat(reload.body()).containsPattern("gateway\\.conf: \\d+:");
        assertThat(get("/still-a")).isEqualTo("200 from A");
        PrometheusText m = metrics();
        assertThat(m.value("idemgate_config_reloads_total", "result", "failure")).isEqualTo(1.0);
        assertThat(m.value("idemgate_config_reloads_total", "result", "success")).isEqualTo(0.0);
    }

    @Test
    void anInvalidValueKeepsTheOldRoutesAndNamesTheKeyAndLine() throws Exception {
        gateway = GatewayFixture.startFromFile(dir, config(upstreamA.url(), ""));
        gateway.rewriteConfig(GatewayFixture.oneRoute("api", upstreamB.url(), ", response-timeout = -1s")
                + "idemgate.admin.token = \"" + TOKEN + "\"\n");

        HttpResponse<String> reload = gateway.postReload(TOKEN);

        assertThat(reload.statusCode()).isEqualTo(422);
        // Line 2: the fixture writes its scope default on line 1.
        assertThat(reload.body()).contains("gateway.conf: 2: idemgate.routes[0].upstream.response-timeout");
        assertThat(get("/still-a")).isEqualTo("200 from A");
    }

    @Test
    void aRejectedReloadDoesNotShowSecretsFromTheFile() throws Exception {
        gateway = GatewayFixture.startFromFile(dir, config(upstreamA.url(), ""));
        gateway.rewriteConfig(config(upstreamA.url(),
                "idemgate.store.redis.uri = [\"redis://:hunter2@127.0.0.1:1\", \"redis://:hunter2@127.0.0.1:2\"]\n"
                        + "idemgate.admin.token = [\"hunter3\"]\n"));

        HttpResponse<String> reload = gateway.postReload(TOKEN);

        assertThat(reload.statusCode()).isEqualTo(422);
        assertThat(reload.body()).contains("idemgate.store.redis.uri").contains("idemgate.admin.token")
                .doesNotContain("hunter2").doesNotContain("hunter3");
    }

    @Test
    void theReloadEndpointIsDisabledWithoutAnAdminToken() throws Exception {
        gateway = GatewayFixture.startFromFile(dir, GatewayFixture.oneRoute("api", upstreamA.url(), ""));

        HttpResponse<String> r = gateway.postReload("anything");

        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.body()).contains("idemgate.admin.token");
    }

    @Test
    void theReloadEndpointWantsTheRightToken() throws Exception {
        gateway = GatewayFixture.startFromFile(dir, config(upstreamA.url(), ""));

        assertThat(gateway.postReload(null).statusCode()).isEqualTo(401);
        assertThat(gateway.postReload("wrong").statusCode()).isEqualTo(401);
        assertThat(gateway.postReload(TOKEN).statusCode()).isEqualTo(200);
    }

    @Test
    void settingsThatNeedARestartAreKeptAndNamedWhileTheRoutesApply() throws Exception {
        gateway = GatewayFixture.startFromFile(dir, config(upstreamA.url(), ""));
        gateway.rewriteConfig(config(upstreamB.url(), "idemgate.admin.token = \"another-token\"\n"
                + "idemgate.server.idle-timeout = 5s\n"));

        HttpResponse<String> reload = gateway.postReload(TOKEN);

        assertThat(reload.statusCode()).isEqualTo(200);
        assertThat(reload.body()).isEqualTo("{\"reloaded\":true,\"routes\":1,"
                + "\"restartRequired\":[\"idemgate.server.idle-timeout\",\"idemgate.admin.token\"]}");
        assertThat(get("/x")).isEqualTo("200 from B");
        assertThat(gateway.postReload("another-token").statusCode()).isEqualTo(401);
        assertThat(gateway.postReload(TOKEN).statusCode()).isEqualTo(200);
    }

    @Test
    void changingTheFileReloadsTheRoutes() throws Exception {
        gateway = GatewayFixture.startFromFile(dir, config(upstreamA.url(), "idemgate.reload.watch-file = true\n"));
        assertThat(get("/x")).isEqualTo("200 from A");

        gateway.rewriteConfig(config(upstreamB.url(), "idemgate.reload.watch-file = true\n"));

        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> get("/x").equals("200 from B"));
        await().atMost(Duration.ofSeconds(5))
                .until(() -> metrics().value("idemgate_config_reloads_total", "result", "success") == 1.0);
    }

    @Test
    void everyConfiguredRouteHasItsSeriesAtZeroBeforeItsFirstRequest() throws Exception {
        gateway = GatewayFixture.startFromFile(dir, config(upstreamA.url(), ""));
        PrometheusText before = metrics();
        assertThat(before.value("idemgate_requests_total", "route", "api", "outcome", "executed")).isZero();
        assertThat(before.value("idemgate_requests_total", "route", "api", "outcome", "replayed")).isZero();
        assertThat(before.value("idemgate_dedup_overhead_seconds_count", "route", "api")).isZero();

        gateway.rewriteConfig(config(upstreamA.url(), "") + "idemgate.routes = [ "
                + "{ name = added, match { path = \"/added/**\" }, upstream.urls = [\"" + upstreamB.url() + "\"] }, "
                + "{ name = api, match { path = \"/**\" }, upstream.urls = [\"" + upstreamA.url() + "\"] } ]\n");
        assertThat(gateway.postReload(TOKEN).statusCode()).isEqualTo(200);
        assertThat(metrics().value("idemgate_requests_total", "route", "added", "outcome", "executed")).isZero();
    }

    @Test
    void aGatewayStartedFromAStringHasNoReloadEndpoint() throws Exception {
        gateway = GatewayFixture.start(config(upstreamA.url(), ""));

        assertThat(gateway.gateway().reloader()).isNull();
        assertThat(gateway.postReload(TOKEN).statusCode()).isEqualTo(404);
    }
}
