package io.idemgate.gateway.reload;

import static org.assertj.core.api.Assertions.assertThat;

import io.idemgate.gateway.testsupport.Behaviour;
import io.idemgate.gateway.testsupport.GatewayFixture;
import io.idemgate.gateway.testsupport.TestJson;
import io.idemgate.gateway.testsupport.TestUpstream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #13: a reload that changes a route's idempotency settings changes what the gateway does, seen in
 * the answers and the stored records (not only in the reload's log line): {@code mode}, {@code methods}, and
 * {@code ttl} set through {@code idemgate.defaults}.
 */
class IdempotencyReloadIT {

    private static final String TOKEN = "reload-token-13";
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static TestUpstream upstream;

    @TempDir
    Path dir;
    private GatewayFixture gateway;
    private int keySeq;

    @BeforeAll
    static void startUpstream() {
        upstream = TestUpstream.start();
    }

    @AfterAll
    static void stopUpstream() {
        upstream.close();
    }

    @BeforeEach
    void freshUpstream() {
        upstream.reset(Behaviour.created());
    }

    @AfterEach
    void stopGateway() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
    }

    /** Route {@code pay} with the given idempotency block; {@code extra} goes before it (e.g. defaults). */
    private static String config(String extra, String idempotency) {
        return "idemgate.admin.token = \"" + TOKEN + "\"\nidemgate.reload.watch-file = false\n" + extra + "\n"
                + "idemgate.routes = [ { name = pay, match.path = \"/pay/**\", upstream.urls = [\"" + upstream.url()
                + "\"], idempotency { " + idempotency + " } } ]\n";
    }

    private void reload(String extra, String idempotency) throws Exception {
        gateway.rewriteConfig(config(extra, idempotency));
        HttpResponse<String> r = gateway.postReload(TOKEN);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).doesNotContain("restartRequired");
    }

    @Test
    void modeOffThenKeyThenOffAgainChangesWhetherARetryExecutesOrReplays() throws Exception {
        gateway = GatewayFixture.startFromFile(dir, config("", "mode = off"));
        String off = key();
        assertExecutesTwice("POST", off);

        reload("", "mode = key");
        String on = key();
        assertExecutesThenReplays("POST", on);

        reload("", "mode = off");
        int before = upstream.requestCount();
        HttpResponse<String> passedThrough = send("POST", on);
        assertThat(passedThrough.headers().firstValue("Idempotent-Replayed")).as("mode = off passes through").isEmpty();
        assertThat(upstream.requestCount()).isEqualTo(before + 1);
    }

    @Test
    void aMethodAddedByAReloadGoesThroughTheEngine() throws Exception {
        gateway = GatewayFixture.startFromFile(dir, config("", "methods = [POST]"));
        assertExecutesTwice("PUT", key());

        reload("", "methods = [POST, PUT]");
        assertExecutesThenReplays("PUT", key());

        reload("", "methods = [POST]");
        assertExecutesTwice("PUT", key());
    }

    @Test
    void aTtlChangedInTheDefaultsAppliesToRecordsMadeAfterTheReload() throws Exception {
        gateway = GatewayFixture.startFromFile(dir, config("idemgate.defaults.idempotency.ttl = 1h", ""));
        String before = key();
        assertExecutesThenReplays("POST", before);
        assertThat(storedTtl(before)).isBetween(Duration.ofMinutes(59), Duration.ofMinutes(61));

        reload("idemgate.defaults.idempotency.ttl = 2h", "");
        String after = key();
        assertExecutesThenReplays("POST", after);
        assertThat(storedTtl(after)).isBetween(Duration.ofMinutes(119), Duration.ofMinutes(121));
        assertThat(storedTtl(before)).as("a record keeps the ttl it was stored with")
                .isBetween(Duration.ofMinutes(59), Duration.ofMinutes(61));
    }

    private void assertExecutesTwice(String method, String key) throws Exception {
        int before = upstream.requestCount();
        HttpResponse<String> first = send(method, key);
        HttpResponse<String> second = send(method, key);
        assertThat(first.statusCode()).isEqualTo(201);
        assertThat(second.statusCode()).isEqualTo(201);
        assertThat(second.headers().firstValue("Idempotent-Replayed")).isEmpty();
        assertThat(second.body()).isNotEqualTo(first.body());
        assertThat(upstream.requestCount()).isEqualTo(before + 2);
    }

    private void assertExecutesThenReplays(String method, String key) throws Exception {
        int before = upstream.requestCount();
        HttpResponse<String> first = send(method, key);
        HttpResponse<String> second = send(method, key);
        assertThat(first.statusCode()).isEqualTo(201);
        assertThat(first.headers().firstValue("Idempotent-Replayed")).isEmpty();
        assertThat(second.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(second.body()).isEqualTo(first.body());
        assertThat(upstream.requestCount()).isEqualTo(before + 1);
    }

    /** {@code expires_at - completed_at} of the key's record, from {@code GET /admin/records}. */
    private Duration storedTtl(String key) throws Exception {
        HttpResponse<String> r = gateway.client().send(HttpRequest.newBuilder(
                        gateway.adminUri("/admin/records?route=pay&key=" + key)).timeout(WAIT)
                .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        Map<String, Object> record = TestJson.object(r.body());
        return Duration.between(Instant.parse((String) record.get("completed_at")),
                Instant.parse((String) record.get("expires_at")));
    }

    private HttpResponse<String> send(String method, String key) throws Exception {
        return gateway.client().send(HttpRequest.newBuilder(gateway.uri("/pay/orders")).timeout(WAIT)
                .header("Content-Type", "application/json").header("Idempotency-Key", key)
                .method(method, HttpRequest.BodyPublishers.ofString("{\"sku\":\"tea\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private String key() {
        return "reload-" + (++keySeq) + "-" + System.nanoTime();
    }
}
