package io.idemgate.loadtest.waiters;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.idemgate.loadtest.upstream.LedgerUpstream;
import io.idemgate.loadtest.upstream.UpstreamOptions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class WaitersCommandTest {

    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);

    @Test
    void theNonIdempotentLedgerAnswersEveryDuplicateWithANewBody() throws Exception {
        try (LedgerUpstream ledger = LedgerUpstream.start(UpstreamOptions.of("--port 0 --threads 1"))) {
            int code = WaitersCommand.run(List.of("--target", ledger.url() + "/v1/orders", "--waiters", "20", "--lead", "50ms",
                    "--connect-batch", "4", "--timeout", "20s", "--key", "k1"), out, out);

            assertThat(code).isEqualTo(1);
            assertThat(ledger.ledger().executions()).isEqualTo(21);
            assertThat(printed.toString(StandardCharsets.UTF_8)).contains("all 21 requests sent", "answered 21 of 21",
                    "differing from the first 20", "same body for all: NO");
        }
    }

    @Test
    void oneBodyForAllPassesAndTheReadyFileIsWritten(@TempDir Path dir) throws Exception {
        HttpServer stub = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 128);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        AtomicInteger calls = new AtomicInteger();
        stub.setExecutor(pool);
        stub.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            byte[] body = "{\"id\":1}".getBytes(StandardCharsets.UTF_8);
            if (calls.getAndIncrement() > 0) {
                exchange.getResponseHeaders().set("Idempotent-Replayed", "true");
            }
            exchange.sendResponseHeaders(201, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        stub.start();
        Path ready = dir.resolve("ready");
        try {
            int code = WaitersCommand.run(List.of("--target", "http://127.0.0.1:" + stub.getAddress().getPort() + "/v1/orders",
                    "--waiters", "30", "--lead", "10ms", "--ready-file", ready.toString()), out, out);

            assertThat(code).as(printed.toString(StandardCharsets.UTF_8)).isZero();
            assertThat(ready).exists();
            assertThat(printed.toString(StandardCharsets.UTF_8)).contains("answered 31 of 31", "replayed 30", "same body for all: YES");
        } finally {
            stub.stop(0);
            pool.shutdownNow();
        }
    }

    @Test
    void badFlagsExitWithTwo() throws Exception {
        assertThat(WaitersCommand.run(List.of("--waiters", "3"), out, out)).isEqualTo(2);
        assertThat(WaitersCommand.run(List.of("--target", "http://h:1/", "--bogus", "1"), out, out)).isEqualTo(2);
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("--target is required", "unknown flag: --bogus");
    }
}
