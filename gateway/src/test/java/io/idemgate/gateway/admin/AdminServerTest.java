package io.idemgate.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.idemgate.gateway.config.AdminConfig;
import io.idemgate.gateway.metrics.GatewayMetrics;
import io.idemgate.gateway.transport.Transport;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AdminServerTest {

    private static final String TOKEN = "s3cret-admin-token";
    private static final Transport TRANSPORT = Transport.detect();
    private static EventLoopGroup group;

    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
    private final GatewayMetrics metrics = new GatewayMetrics(new PrometheusRegistry());
    private final AtomicReference<Readiness> readiness = new AtomicReference<>(Readiness.ready("store answers"));
    private AdminServer server;
    private int port;

    @BeforeAll
    static void startGroup() {
        group = TRANSPORT.newEventLoopGroup(1, "admin-test");
    }

    @AfterAll
    static void stopGroup() throws InterruptedException {
        // Leaks are checked after the class by the globally registered NettyLeakDetection extension.
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.stop();
        }
    }

    private void start(String token) {
        metrics.route("payments");
        AdminEndpoints endpoints = AdminEndpoints.builder()
                .health()
                .readiness(() -> CompletableFuture.supplyAsync(readiness::get))
                .metrics(metrics.registry())
                .routes(() -> List.of(RoutesJsonTest.paymentsRoute()))
                .route(HttpMethod.POST, "/test/protected", r -> CompletableFuture.completedFuture(
                        AdminResponses.text(r.alloc(), HttpResponseStatus.OK, "text/plain", "hello " + r.bodyAsString())),
                        true)
                .build();
        server = new AdminServer(new AdminConfig("127.0.0.1", 0, token), TRANSPORT, group, endpoints);
        port = server.start();
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return client.send(request.timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder get(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
    }

    @Test
    void healthzSaysUp() throws Exception {
        start("");

        HttpResponse<String> r = send(get("/healthz"));

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(r.body()).isEqualTo("{\"status\":\"UP\"}");
    }

    @Test
    void readyzFollowsTheReadinessCheck() throws Exception {
        start("");

        HttpResponse<String> up = send(get("/readyz"));
        readiness.set(Readiness.notReady("redis: connection refused"));
        HttpResponse<String> down = send(get("/readyz"));

        assertThat(up.statusCode()).isEqualTo(200);
        assertThat(up.body()).isEqualTo("{\"status\":\"UP\",\"detail\":\"store answers\"}");
        assertThat(down.statusCode()).isEqualTo(503);
        assertThat(down.body()).isEqualTo("{\"status\":\"DOWN\",\"detail\":\"redis: connection refused\"}");
    }

    @Test
    void readyzIsDownWhenTheCheckFails() throws Exception {
        AdminEndpoints endpoints = AdminEndpoints.builder()
                .readiness(() -> { throw new IllegalStateException("boom"); }).build();
        server = new AdminServer(new AdminConfig("127.0.0.1", 0, ""), TRANSPORT, group, endpoints);
        port = server.start();

        HttpResponse<String> r = send(get("/readyz"));

        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).contains("\"DOWN\"").contains("IllegalStateException");
    }

    @Test
    void metricsDefaultToPrometheusText() throws Exception {
        start("");

        HttpResponse<String> r = send(get("/metrics"));

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        assertThat(r.body()).contains("# TYPE idemgate_requests_total counter")
                .contains("idemgate_requests_total{outcome=\"executed\",route=\"payments\"} 0");
    }

    @Test
    void metricsSpeakOpenMetricsWhenAsked() throws Exception {
        start("");

        HttpResponse<String> r = send(get("/metrics").header("Accept",
                "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5"));

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type").orElseThrow()).startsWith("application/openmetrics-text");
        assertThat(r.body()).contains("# TYPE idemgate_requests counter")
                .contains("idemgate_requests_total{outcome=\"executed\",route=\"payments\"} 0")
                .endsWith("# EOF\n");
    }

    @Test
    void metricsFallBackToTextWhenProtobufIsAsked() throws Exception {
        start("");

        HttpResponse<String> r = send(get("/metrics").header("Accept",
                "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited"));

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type").orElseThrow()).startsWith("text/plain");
    }

    @Test
    void metricsCanBeFilteredByName() throws Exception {
        start("");

        HttpResponse<String> r = send(get("/metrics?name%5B%5D=idemgate_inflight_requests"));

        assertThat(r.body()).contains("idemgate_inflight_requests{route=\"payments\"}")
                .doesNotContain("idemgate_requests_total");
    }

    @Test
    void routesAreRenderedAsJson() throws Exception {
        start("");

        HttpResponse<String> r = send(get("/admin/routes"));

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(r.body()).contains("\"name\" : \"payments\"").contains("\"on-store-failure\" : \"fail-closed\"");
    }

    @Test
    void unknownPathIsA404Problem() throws Exception {
        start("");

        HttpResponse<String> r = send(get("/nope"));

        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/problem+json");
        assertThat(r.body()).contains("\"status\":404");
    }

    @Test
    void wrongMethodIsA405WithAllow() throws Exception {
        start("");

        HttpResponse<String> r = send(get("/healthz").DELETE());

        assertThat(r.statusCode()).isEqualTo(405);
        assertThat(r.headers().firstValue("allow")).hasValue("GET, HEAD");
        assertThat(r.headers().firstValue("content-type")).hasValue("application/problem+json");
    }

    @Test
    void headAnswersLikeGetWithoutBody() throws Exception {
        start("");

        HttpResponse<String> r = send(get("/healthz").method("HEAD", HttpRequest.BodyPublishers.noBody()));

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-length")).hasValue("15");
        assertThat(r.body()).isEmpty();
    }

    @Test
    void protectedEndpointIsForbiddenWithoutAConfiguredToken() throws Exception {
        start("");

        HttpResponse<String> r = send(protectedCall().header("Authorization", "Bearer anything"));

        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/problem+json");
        assertThat(r.body()).contains("idemgate.admin.token").contains("IDEMGATE_ADMIN_TOKEN");
    }

    @Test
    void protectedEndpointWantsTheToken() throws Exception {
        start(TOKEN);

        HttpResponse<String> missing = send(protectedCall());
        HttpResponse<String> wrong = send(protectedCall().header("Authorization", "Bearer not-the-token"));
        HttpResponse<String> basic = send(protectedCall().header("Authorization", "Basic " + TOKEN));
        HttpResponse<String> right = send(protectedCall().header("Authorization", "Bearer " + TOKEN));

        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(missing.headers().firstValue("www-authenticate").orElseThrow()).startsWith("Bearer");
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.headers().firstValue("www-authenticate").orElseThrow()).contains("invalid_token");
        assertThat(basic.statusCode()).isEqualTo(401);
        assertThat(right.statusCode()).isEqualTo(200);
        assertThat(right.body()).isEqualTo("hello world");
    }

    @Test
    void oversizedBodyIsA413ProblemAndCloses() throws Exception {
        start(TOKEN);

        HttpResponse<String> r = send(protectedCall()
                .header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString("x".repeat(AdminServer.MAX_REQUEST_BODY + 1))));

        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/problem+json");
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrderOnOneConnection() throws Exception {
        start("");

        String answers;
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            answers = readAll(socket.getInputStream());
        }

        assertThat(answers.indexOf("store answers")).isPositive()
                .isLessThan(answers.indexOf("{\"status\":\"UP\"}HTTP/1.1 200"));
        assertThat(answers.split("HTTP/1.1 200 OK", -1)).hasSize(4);
    }

    @Test
    void garbageIsA400ProblemAndCloses() throws Exception {
        start("");

        String answer;
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            answer = readAll(socket.getInputStream());
        }

        assertThat(answer).startsWith("HTTP/1.1 400").contains("application/problem+json").contains("connection: close");
    }

    private HttpRequest.Builder protectedCall() {
        return get("/test/protected").POST(HttpRequest.BodyPublishers.ofString("world"));
    }

    private static String readAll(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
}
