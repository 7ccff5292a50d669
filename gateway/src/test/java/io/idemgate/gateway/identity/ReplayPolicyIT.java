package io.idemgate.gateway.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.idemgate.gateway.testsupport.Behaviour;
import io.idemgate.gateway.testsupport.ProxyTestBed;
import io.idemgate.gateway.testsupport.RawHttpClient;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code idempotency.replay}: a replay carries the stored headers byte-exact, in order, duplicates
 * included; {@code exclude-headers} are never stored; on a route where clients can share a scope,
 * credential headers ({@code Set-Cookie}) are never stored, so a replay cannot hand one client's
 * session to another.
 */
class ReplayPolicyIT {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static ProxyTestBed bed;
    private static int seq;
    private String key;

    /** Duplicates and values whose case and spacing a replay must keep. */
    private static Behaviour multiValued() {
        return exchange -> () -> {
            byte[] body = "{\"id\":\"res_1\"}".getBytes(StandardCharsets.UTF_8);
            DefaultFullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CREATED,
                    Unpooled.wrappedBuffer(body));
            HttpHeaders h = r.headers();
            h.add("Content-Type", "application/json");
            h.add("Link", "</r/1>; rel=\"self\"");
            h.add("Set-Cookie", "session=abc123; HttpOnly");
            h.add("X-Multi", "first");
            h.add("Link", "</r/1/items>;  rel=\"items\"");
            h.add("X-Multi", "Second,  With Spaces");
            h.add("Set-Cookie", "csrf=xyz; Secure");
            h.add("X-Trace", "t-1");
            h.add("X-Multi", "third");
            HttpUtil.setContentLength(r, body.length);
            exchange.end(exchange.write(r));
        };
    }

    @BeforeAll
    static void start() throws Exception {
        bed = ProxyTestBed.start(url -> """
                idemgate.routes = [
                  { name = private, match.path = "/private/**", upstream.urls = ["%1$s"],
                    idempotency { scope.when-missing = reject, replay.exclude-headers = ["x-trace"] } }
                  { name = pooled, match.path = "/pooled/**", upstream.urls = ["%1$s"],
                    idempotency.scope.when-missing = shared }
                  { name = webhook, match.path = "/hooks/**", upstream.urls = ["%1$s"],
                    idempotency.scope.headers = [] }
                ]
                """.formatted(url));
    }

    @AfterAll
    static void stop() throws Exception {
        if (bed != null) {
            bed.close();
        }
    }

    @BeforeEach
    void fresh() {
        key = "replay-" + (++seq) + "-" + System.nanoTime();
        bed.upstream().reset(multiValued());
    }

    private RawHttpClient.RawResponse post(String path, String authorization) throws Exception {
        try (RawHttpClient c = RawHttpClient.connect(bed.gateway().port())) {
            c.send("POST " + path + " HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nIdempotency-Key: " + key
                    + "\r\n" + (authorization == null ? "" : "Authorization: " + authorization + "\r\n")
                    + "Content-Length: 2\r\n\r\n{}");
            return c.readResponse(WAIT);
        }
    }

    private static List<String> values(RawHttpClient.RawResponse r, String name) {
        return r.headers().getOrDefault(name, List.of());
    }

    @Test
    void aReplayCarriesTheStoredHeadersInOrderWithDuplicatesAndExclusionsDropped() throws Exception {
        RawHttpClient.RawResponse first = post("/private/orders", "Bearer alice");
        RawHttpClient.RawResponse replay = post("/private/orders", "Bearer alice");
        assertThat(replay.header("idempotent-replayed")).isEqualTo("true");
        assertThat(values(replay, "x-multi")).containsExactly("first", "Second,  With Spaces", "third")
                .isEqualTo(values(first, "x-multi"));
        assertThat(values(replay, "link")).containsExactly("</r/1>; rel=\"self\"", "</r/1/items>;  rel=\"items\"");
        // The same client's own record: its cookies come back to it.
        assertThat(values(replay, "set-cookie")).containsExactly("session=abc123; HttpOnly", "csrf=xyz; Secure");
        assertThat(values(first, "x-trace")).containsExactly("t-1");
        assertThat(replay.header("x-trace")).isNull();
        assertThat(bed.upstream().requestCount()).isEqualTo(1);
    }

    @Test
    void onASharedScopeRouteSetCookieReachesOnlyTheClientThatCausedIt() throws Exception {
        RawHttpClient.RawResponse first = post("/pooled/orders", null);
        RawHttpClient.RawResponse other = post("/pooled/orders", null);
        assertThat(values(first, "set-cookie")).hasSize(2);
        assertThat(other.header("idempotent-replayed")).isEqualTo("true");
        assertThat(other.headers()).doesNotContainKey("set-cookie");
        assertThat(values(other, "x-multi")).containsExactly("first", "Second,  With Spaces", "third");
        assertThat(bed.upstream().requestCount()).isEqualTo(1);
    }

    @Test
    void anEmptyScopeHeaderListIsSharedToo() throws Exception {
        post("/hooks/events", "Bearer sender");
        RawHttpClient.RawResponse redelivery = post("/hooks/events", "Bearer sender");
        assertThat(redelivery.header("idempotent-replayed")).isEqualTo("true");
        assertThat(redelivery.headers()).doesNotContainKey("set-cookie");
        assertThat(Map.copyOf(redelivery.headers())).containsKey("link");
    }
}
