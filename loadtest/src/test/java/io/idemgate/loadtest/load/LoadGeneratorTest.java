package io.idemgate.loadtest.load;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.idemgate.loadtest.upstream.LedgerUpstream;
import io.idemgate.loadtest.upstream.UpstreamOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class LoadGeneratorTest {

    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
    private LedgerUpstream ledger;
    private HttpServer stub;

    @AfterEach
    void stop() {
        if (ledger != null) {
            ledger.close();
        }
        if (stub != null) {
            stub.stop(0);
        }
    }

    private String startLedger() {
        ledger = LedgerUpstream.start(UpstreamOptions.of("--port 0 --threads 1"));
        return ledger.url();
    }

    @Test
    void duplicatesSentStraightToTheNonIdempotentLedgerAreReportedAsViolations(@TempDir Path dir) throws Exception {
        String url = startLedger();
        Path results = dir.resolve("results.json");

        int code = LoadCommand.run(List.of("--target", url + "/v1/orders", "--rate", "300", "--duration", "1s",
                "--connections", "8", "--duplicate-ratio", "0.5", "--key-space", "20", "--ledger", url,
                "--results", results.toString()), out, out);

        assertThat(code).isEqualTo(1);
        assertThat(printed.toString(StandardCharsets.UTF_8))
                .contains("exactly-once: VIOLATED")
                .containsPattern("lg-\\w+-\\w+: executed \\d+ times");
        assertThat(Files.readString(results)).contains("\"exactly_once\":{\"ok\":false,\"ledger_checked\":true");
        assertThat(ledger.ledger().duplicatedKeys()).isPositive();
    }

    @Test
    void theHistoriesOfTheGeneratorAndTheLedgerFeedTheChecker(@TempDir Path dir) throws Exception {
        Path ledgerHistory = dir.resolve("ledger.tsv");
        ledger = LedgerUpstream.start(UpstreamOptions.of("--port 0 --threads 1 --history " + ledgerHistory));
        String url = ledger.url();
        Path clean = dir.resolve("clean.tsv");
        Path dupes = dir.resolve("dupes.tsv");

        assertThat(LoadCommand.run(List.of("--target", url + "/v1/orders", "--rate", "200", "--duration", "1s",
                "--connections", "4", "--history", clean.toString()), out, out)).isZero();
        List<String> lines = Files.readAllLines(clean);
        assertThat(lines.get(0)).startsWith("# idemgate client history v1");
        assertThat(lines).hasSizeGreaterThan(50);
        assertThat(lines.get(1)).matches("lg-\\w+-\\w+\t\\d+\t\\d+\t201\t0\t[0-9a-f]{16}\t-");
        assertThat(io.idemgate.loadtest.history.CheckCommand.run(List.of("--client", clean.toString(), "--ledger",
                ledgerHistory.toString()), out, out)).as(printed.toString(StandardCharsets.UTF_8)).isZero();

        // Straight to the non-idempotent ledger, duplicates execute again: the checker names them.
        LoadCommand.run(List.of("--target", url + "/v1/orders", "--rate", "200", "--duration", "1s", "--connections", "4",
                "--duplicate-ratio", "0.5", "--key-space", "10", "--history", dupes.toString()), out, out);
        printed.reset();
        assertThat(io.idemgate.loadtest.history.CheckCommand.run(List.of("--client", dupes.toString(), "--ledger",
                ledgerHistory.toString()), out, out)).isEqualTo(1);
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("verdict: VIOLATED").contains("duplicate-execution");
    }

    @Test
    void withAllowReexecutionKeysExecutedTwiceAreCountedAndTheRunPasses(@TempDir Path dir) throws Exception {
        String url = startLedger();
        Path results = dir.resolve("results.json");

        int code = LoadCommand.run(List.of("--target", url + "/v1/orders", "--rate", "300", "--duration", "1s",
                "--connections", "8", "--duplicate-ratio", "0.5", "--key-space", "20", "--ledger", url,
                "--allow-reexecution", "--results", results.toString()), out, out);

        assertThat(code).as(printed.toString(StandardCharsets.UTF_8)).isZero();
        long twice = ledger.ledger().duplicatedKeys();
        assertThat(twice).isPositive();
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("re-executed (allowed): " + twice + " keys");
        assertThat(Files.readString(results)).contains("\"reexecution_allowed\":true,\"reexecuted_keys\":" + twice + ",");
    }

    @Test
    void warmUpRequestsAreSentAndVerifiedButNotMeasured(@TempDir Path dir) throws Exception {
        String url = startLedger();
        Path results = dir.resolve("results.json");

        Path timeline = dir.resolve("timeline.csv");

        int code = LoadCommand.run(List.of("--target", url + "/v1/orders", "--rate", "200", "--warmup", "1s",
                "--duration", "1s", "--connections", "4", "--results", results.toString(),
                "--timeline", timeline.toString()), out, out);

        assertThat(code).as(printed.toString(StandardCharsets.UTF_8)).isZero();
        // 2 s at 200/s reached the ledger; only the second's ~200 are in the latency record.
        long executed = ledger.ledger().executions();
        java.util.regex.Matcher all = java.util.regex.Pattern.compile("\"all\":\\{\"count\":(\\d+)")
                .matcher(java.nio.file.Files.readString(results));
        assertThat(all.find()).isTrue();
        long measured = Long.parseLong(all.group(1));
        assertThat(executed).isBetween(360L, 440L);
        assertThat(measured).isBetween(160L, 240L);
        // The timeline: the warm-up second unmeasured, then measured seconds, their counts adding up.
        List<String> seconds = Files.readAllLines(timeline);
        assertThat(seconds.get(0)).isEqualTo(Timeline.CSV_HEADER);
        assertThat(seconds.get(1)).matches("0,\\d{13},0,.*");
        assertThat(seconds.subList(1, seconds.size()).stream().mapToLong(l -> Long.parseLong(l.split(",")[3])).sum())
                .isEqualTo(executed);
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("slowest measured seconds", "timeline written to");
    }

    @Test
    void withAllowReexecutionA2xxForAKeyThatNeverExecutedIsStillAViolation() {
        KeyBook.KeyState k = new KeyBook(1, 16).fresh();
        k.sent = 1;
        k.successes = 1;

        assertThat(ExactlyOnceVerifier.problem(k, 0L, true)).contains("answered 2xx but never executed");
        assertThat(ExactlyOnceVerifier.problem(k, 1L, true)).isNull();
        k.differingResponses = 1;
        assertThat(ExactlyOnceVerifier.problem(k, 3L, true)).isNull();
        assertThat(ExactlyOnceVerifier.problem(k, 1L, true)).contains("differed from the first");
        assertThat(ExactlyOnceVerifier.problem(k, 3L, false)).contains("executed 3 times");
    }

    @Test
    void uniqueKeysAgainstTheLedgerVerifyExactlyOnce() throws Exception {
        String url = startLedger();

        LoadResult result = new LoadGenerator(LoadOptions.of("--target " + url + "/v1/orders --rate 300 --duration 1s"
                + " --connections 8 --ledger " + url), out).run();

        assertThat(result.verification().ok()).as(printed.toString(StandardCharsets.UTF_8)).isTrue();
        assertThat(result.verification().ledgerChecked()).isTrue();
        assertThat(result.verification().keys()).isEqualTo(result.sent()).isEqualTo(ledger.ledger().executions());
        assertThat(result.count(Outcome.FIRST)).isEqualTo(result.sent());
        assertThat(result.verification().summary()).isEqualTo("exactly-once: OK (" + result.sent() + " keys)");
    }

    @Test
    void anIdempotentServerReplayingTheFirstBodyPassesAndReplaysAreCountedAsSuch() throws Exception {
        String url = startIdempotentStub(false);

        LoadResult result = new LoadGenerator(LoadOptions.of("--target " + url + "/v1/orders --rate 300 --duration 1s"
                + " --connections 8 --duplicate-ratio 0.4 --key-space 10 --burst 5 --burst-every 300ms"), out).run();

        assertThat(result.verification().ok()).as(printed.toString(StandardCharsets.UTF_8)).isTrue();
        assertThat(result.count(Outcome.REPLAYED) + result.count(Outcome.WAITED)).isPositive();
        assertThat(result.count(Outcome.FIRST)).isEqualTo(result.keys());
        assertThat(result.summary()).contains("replayed", "exactly-once: OK");
    }

    @Test
    void aReplayWithADifferentBodyIsAViolationEvenWithoutALedger() throws Exception {
        String url = startIdempotentStub(true);

        LoadResult result = new LoadGenerator(LoadOptions.of("--target " + url + "/v1/orders --rate 200 --duration 1s"
                + " --connections 4 --duplicate-ratio 0.5 --key-space 5"), out).run();

        assertThat(result.verification().ok()).isFalse();
        assertThat(result.verification().examples()).anySatisfy(e -> assertThat(e).contains("differed from the first"));
    }

    @Test
    void aDeadTargetEndsTheRunAtOnceSayingNothingWasMeasured(@TempDir Path dir) throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path results = dir.resolve("results.json");
        long start = System.nanoTime();

        int code = LoadCommand.run(List.of("--target", "http://127.0.0.1:" + port + "/v1/orders", "--rate", "50",
                "--duration", "20s", "--connections", "2", "--results", results.toString()), out, out);

        // Not the 20 s asked for plus the 10 s timeout: not one connection came up, so there is nothing to run.
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
        assertThat(code).isEqualTo(1);
        assertThat(printed.toString(StandardCharsets.UTF_8))
                .contains("NOTHING MEASURED: no request to http://127.0.0.1:" + port + "/v1/orders was answered")
                .contains("cannot connect to 127.0.0.1:" + port)
                .contains("(2 attempts failed)")
                .doesNotContain("exactly-once: OK")
                .doesNotContain("connect_failed");
        assertThat(Files.readString(results)).contains("\"nothing_measured\":true").contains("\"exactly_once\":{\"ok\":false");
    }

    @Test
    void aTargetTooSlowForTheRateIsReportedBehindWithItsRealSendWindow(@TempDir Path dir) throws Exception {
        // Two connections, 50 ms per answer: at most ~40 req/s, against 100 asked for 1 s.
        ledger = LedgerUpstream.start(UpstreamOptions.of("--port 0 --threads 1 --latency 50ms"));
        Path results = dir.resolve("results.json");

        int code = LoadCommand.run(List.of("--target", ledger.url() + "/v1/orders", "--rate", "100", "--duration", "1s",
                "--connections", "2", "--fail-if-behind", "--results", results.toString()), out, out);

        String printedText = printed.toString(StandardCharsets.UTF_8);
        assertThat(code).as(printedText).isEqualTo(3);
        assertThat(printedText).contains("WARNING: fell behind").contains("fell behind the asked rate (--fail-if-behind)");
        String json = Files.readString(results);
        assertThat(json).contains("\"behind\":true");
        double planned = number(json, "measured_planned");
        double sent = number(json, "measured_sent");
        double seconds = number(json, "seconds");
        double achieved = number(json, "achieved_rate");
        assertThat(sent).isEqualTo(planned).isBetween(95.0, 101.0); // all sent in the end, late
        assertThat(seconds).isGreaterThan(1.5); // ~100 requests at <= 40/s: the window stretched well past 1 s
        assertThat(achieved).isLessThan(70).isCloseTo(sent / seconds, org.assertj.core.data.Offset.offset(1.0));
    }

    @Test
    void withoutFailIfBehindFallingBehindWarnsButPasses() throws Exception {
        ledger = LedgerUpstream.start(UpstreamOptions.of("--port 0 --threads 1 --latency 50ms"));

        int code = LoadCommand.run(List.of("--target", ledger.url() + "/v1/orders", "--rate", "60", "--duration", "500ms",
                "--connections", "1"), out, out);

        assertThat(code).isZero();
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("WARNING: fell behind");
    }

    @Test
    void thePlanIsTheRateOverTheDurationPlusTheBurstsNeverMore() throws Exception {
        String url = startLedger();

        LoadResult result = new LoadGenerator(LoadOptions.of("--target " + url + "/v1/orders --rate 100 --duration 1s"
                + " --connections 8 --burst 5 --burst-every 300ms"), out).run();

        // 100 by the rate, 3 bursts of 5 (at 300, 600 and 900 ms); a stop that runs late plans nothing more.
        assertThat(result.pace().planned()).as(printed.toString(StandardCharsets.UTF_8)).isBetween(110L, 115L);
        assertThat(result.planned()).isEqualTo(result.pace().planned());
    }

    @Test
    void closedLoopReportsWhatItSentWithoutAPlan() throws Exception {
        String url = startLedger();

        LoadResult result = new LoadGenerator(LoadOptions.of("--target " + url + "/v1/orders --closed-loop --duration 500ms"
                + " --connections 2"), out).run();

        assertThat(result.summary()).startsWith("closed loop, 2 connections, " + url + "/v1/orders: sent ")
                .doesNotContain("planned").doesNotContain("WARNING");
        assertThat(result.behind()).isFalse();
    }

    @Test
    void theLastProgressLineIsPrintedOnce() throws Exception {
        String url = startLedger();

        new LoadGenerator(LoadOptions.of("--target " + url + "/v1/orders --rate 100 --duration 1200ms --connections 2"), out)
                .run();

        List<String> counts = printed.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("["))
                .map(l -> l.substring(l.indexOf(']') + 1).replaceAll("\\(\\d+/s\\)", "")).toList();
        assertThat(counts).isNotEmpty().doesNotHaveDuplicates();
    }

    @Test
    void badFlagsPrintTheErrorAndAOneLineHint() throws Exception {
        ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

        assertThat(LoadCommand.run(List.of("--target", "http://127.0.0.1:1/", "--bogus", "1"), out, err)).isEqualTo(2);
        assertThat(LoadCommand.run(List.of("--target", "127.0.0.1:8080/v1/orders"), out, err)).isEqualTo(2);

        assertThat(errBytes.toString(StandardCharsets.UTF_8).lines().toList()).containsExactly(
                "load: unknown flag: --bogus",
                LoadCommand.HINT,
                "load: --target needs a scheme: http://127.0.0.1:8080/v1/orders (got 127.0.0.1:8080/v1/orders)",
                LoadCommand.HINT);
    }

    private static double number(String json, String field) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"" + field + "\":([0-9.]+)").matcher(json);
        assertThat(m.find()).as(field + " in " + json).isTrue();
        return Double.parseDouble(m.group(1));
    }

    @Test
    void requestsPastTheTimeoutAreErrorsAndTheirConnectionsAreReopened() throws Exception {
        ledger = LedgerUpstream.start(UpstreamOptions.of("--port 0 --threads 1 --latency 3s"));

        LoadResult result = new LoadGenerator(LoadOptions.of("--target " + ledger.url() + "/v1/orders --rate 20 --duration 500ms"
                + " --connections 4 --timeout 300ms"), out).run();

        assertThat(result.errors()).containsKey("timeout");
        assertThat(result.count(Outcome.ERROR)).isEqualTo(result.sent());
        assertThat(result.sent()).isGreaterThan(4); // more than one request per connection: reopened after each timeout
    }

    @Test
    void aMidRunCommandRunsAtItsOffset(@TempDir Path dir) throws Exception {
        String url = startLedger();
        Path marker = dir.resolve("ran");

        new LoadGenerator(LoadOptions.parse(List.of("--target", url + "/v1/orders", "--rate", "50", "--duration", "1s",
                "--connections", "2", "--mid-run-cmd", "300ms:touch " + marker)), out).run();

        assertThat(marker).exists();
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("[mid-run@300ms] exit 0");
    }

    /** Answers a key's first POST with a fresh body and replays it after; {@code corrupt} breaks every replay's body. */
    private String startIdempotentStub(boolean corrupt) throws IOException {
        Map<String, byte[]> stored = new ConcurrentHashMap<>();
        AtomicLong ids = new AtomicLong();
        stub = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 128);
        stub.setExecutor(Executors.newFixedThreadPool(4));
        stub.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
            boolean[] first = {false};
            byte[] body = stored.computeIfAbsent(key, k -> {
                first[0] = true;
                return ("{\"id\":" + ids.incrementAndGet() + "}").getBytes(StandardCharsets.UTF_8);
            });
            if (!first[0]) {
                exchange.getResponseHeaders().set("Idempotent-Replayed", "true");
                if (corrupt) {
                    body = ("{\"id\":-" + ids.incrementAndGet() + "}").getBytes(StandardCharsets.UTF_8);
                }
            }
            exchange.sendResponseHeaders(201, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        stub.start();
        return "http://127.0.0.1:" + stub.getAddress().getPort();
    }
}
