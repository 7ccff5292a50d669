package io.idemgate.loadtest.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LedgerUpstreamTest {

    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private LedgerUpstream upstream;

    @AfterEach
    void stop() {
        if (upstream != null) {
            upstream.close();
        }
    }

    private LedgerUpstream start(String flags) {
        upstream = LedgerUpstream.start(UpstreamOptions.of("--port 0 " + flags));
        return upstream;
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return client.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder post(String path, String key, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(upstream.url() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        return key == null ? b : b.header("Idempotency-Key", key);
    }

    @Test
    void postingTwiceWithTheSameKeyExecutesTwiceAndStatsShowTheDuplicate() throws Exception {
        start("");
        HttpResponse<String> first = send(post("/v1/orders", "k-1", "{\"amount\":10}"));
        HttpResponse<String> second = send(post("/v1/orders", "k-1", "{\"amount\":10}"));

        assertThat(first.statusCode()).isEqualTo(201);
        assertThat(first.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(first.headers().firstValue("location")).hasValueSatisfying(l -> assertThat(l).startsWith("/v1/orders/ord_"));
        assertThat(first.body()).contains("\"path\":\"/v1/orders\"", "\"received_bytes\":13", "\"idempotency_key\":\"k-1\"");
        assertThat(second.body()).isNotEqualTo(first.body());

        String stats = send(HttpRequest.newBuilder(URI.create(upstream.url() + "/stats"))).body();
        assertThat(stats).contains("\"requests\":2", "\"executions_by_key_total\":2", "\"keys\":1", "\"duplicated_keys\":1");

        HttpResponse<String> key = send(HttpRequest.newBuilder(URI.create(upstream.url() + "/stats/keys?key=k-1")));
        assertThat(key.statusCode()).isEqualTo(200);
        assertThat(key.body()).contains("\"executions\":2").contains(first.body());
    }

    @Test
    void sfStringAndBareTokenKeysCountAsOneKey() throws Exception {
        start("");
        send(post("/p", "\"abc\"", ""));
        send(post("/p", "abc", ""));
        assertThat(upstream.ledger().lookup("abc")).hasValueSatisfying(k -> assertThat(k.executions()).isEqualTo(2));
    }

    @Test
    void executionCountsForManyKeysComeInOneAnswerUnknownKeysCountingZero() throws Exception {
        start("");
        send(post("/p", "a", ""));
        send(post("/p", "a", ""));
        send(post("/p", "\"b\"", ""));
        HttpResponse<String> counts = send(HttpRequest.newBuilder(URI.create(upstream.url() + "/stats/executions?key=a&key=b&key=zz")));
        assertThat(counts.statusCode()).isEqualTo(200);
        assertThat(counts.body()).isEqualTo("{\"executions\":{\"a\":2,\"b\":1,\"zz\":0}}");
    }

    @Test
    void resetClearsTheLedgerAndUnknownKeysAre404() throws Exception {
        start("");
        send(post("/p", "k", "x"));
        assertThat(send(HttpRequest.newBuilder(URI.create(upstream.url() + "/stats/reset")).POST(HttpRequest.BodyPublishers.noBody())).statusCode())
                .isEqualTo(200);
        assertThat(upstream.ledger().statsJson()).contains("\"requests\":0", "\"keys\":0");
        assertThat(send(HttpRequest.newBuilder(URI.create(upstream.url() + "/stats/keys?key=k"))).statusCode()).isEqualTo(404);
    }

    @Test
    void getAndOtherMethodsEcho() throws Exception {
        start("");
        HttpResponse<String> get = send(HttpRequest.newBuilder(URI.create(upstream.url() + "/things/1?x=y")).header("X-Trace", "t1"));
        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(get.body()).contains("\"method\":\"GET\"", "\"uri\":\"/things/1?x=y\"", "\"x-trace\":\"t1\"");
        HttpResponse<String> delete = send(HttpRequest.newBuilder(URI.create(upstream.url() + "/things/1")).DELETE());
        assertThat(delete.statusCode()).isEqualTo(200);
        assertThat(upstream.ledger().executions()).isZero();
    }

    @Test
    void errorRateOneAnswers503WithoutExecuting() throws Exception {
        start("--error-rate 1.0");
        HttpResponse<String> response = send(post("/v1/orders", "k-err", "{}"));
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(upstream.ledger().executions()).isZero();
        assertThat(upstream.ledger().statsJson()).contains("\"errors_injected\":1");
    }

    @Test
    void resetRateOneExecutesThenClosesWithoutResponse() {
        start("--reset-rate 1.0");
        assertThatThrownBy(() -> send(post("/v1/orders", "k-reset", "{}"))).isInstanceOf(IOException.class);
        assertThat(upstream.ledger().lookup("k-reset")).hasValueSatisfying(k -> assertThat(k.executions()).isEqualTo(1));
    }

    @Test
    void latencyIsAppliedWithoutBlockingOtherConnections() throws Exception {
        start("--latency 500ms --threads 1");
        send(HttpRequest.newBuilder(URI.create(upstream.url() + "/stats"))); // warm up the client
        long t0 = System.nanoTime();
        var slow1 = client.sendAsync(post("/a", "l1", "").build(), HttpResponse.BodyHandlers.ofString());
        var slow2 = client.sendAsync(post("/b", "l2", "").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(slow1.get().statusCode()).isEqualTo(201);
        assertThat(slow2.get().statusCode()).isEqualTo(201);
        long elapsedMs = (System.nanoTime() - t0) / 1_000_000;
        // Two 500 ms requests on one event-loop thread finish together, not one after the other.
        assertThat(elapsedMs).isBetween(490L, 990L);
    }

    @Test
    void slowBodyAndPaddingDeliverTheWholeBody() throws Exception {
        start("--slow-body 1ms --slow-body-chunk 100 --response-bytes 2000");
        HttpResponse<String> response = send(post("/v1/orders", "k-slow", "{}"));
        assertThat(response.statusCode()).isEqualTo(201);
        assertThat(response.body()).hasSize(2000).startsWith("{\"id\":\"ord_").endsWith("\"}");
    }

    @Test
    void oversizedBodyIs413() throws Exception {
        start("--max-request-bytes 10");
        assertThat(send(post("/p", "big", "01234567890")).statusCode()).isEqualTo(413);
        assertThat(upstream.ledger().executions()).isZero();
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        start("--latency 1ms..30ms");
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", upstream.port()), 5000);
            socket.setSoTimeout(10_000);
            StringBuilder requests = new StringBuilder();
            for (int i = 0; i < 5; i++) {
                requests.append("GET /seq/").append(i).append(" HTTP/1.1\r\nHost: x\r\n\r\n");
            }
            requests.append("GET /seq/last HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(requests.toString().getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String all = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int last = -1;
            for (String path : new String[] {"/seq/0", "/seq/1", "/seq/2", "/seq/3", "/seq/4", "/seq/last"}) {
                int at = all.indexOf("\"path\":\"" + path + "\"");
                assertThat(at).as(path).isGreaterThan(last);
                last = at;
            }
        }
    }

    @Test
    void badFlagsAreRejectedWithTheirName() {
        assertThatThrownBy(() -> UpstreamOptions.of("--error-rate 2")).hasMessageContaining("--error-rate");
        assertThatThrownBy(() -> UpstreamOptions.of("--bogus 1")).hasMessageContaining("--bogus");
        assertThatThrownBy(() -> UpstreamOptions.of("--latency")).hasMessageContaining("needs a value");
        assertThat(UpstreamOptions.of("--latency 1ms..20ms").latency())
                .isEqualTo(new Latency(Duration.ofMillis(1), Duration.ofMillis(20)));
    }
}
