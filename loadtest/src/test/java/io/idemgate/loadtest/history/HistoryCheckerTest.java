package io.idemgate.loadtest.history;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hand-made histories: a clean one passes, each kind of violation is found, and only the events the contract names excuse one. */
class HistoryCheckerTest {

    private static ClientOp op(String key, long sent, long answered, int status, boolean replayed, String hash) {
        return new ClientOp(key, sent, answered, status, replayed, hash, "-");
    }

    private static ClientOp lost(String key, long sent, long gaveUp) {
        return new ClientOp(key, sent, gaveUp, -1, false, "-", "timeout");
    }

    private static Execution exec(String key, long fence, long at) {
        return new Execution(key, fence, at, true);
    }

    private static HistoryChecker.Result check(boolean reexecute, Map<String, Long> allow, List<ClientOp> ops, List<Execution> ex) {
        return new HistoryChecker(reexecute, allow).check(ops, ex);
    }

    /** k1: first answer, then a replay; k2: two concurrent requests, one waits and is replayed; k3: only a 503, never executed. */
    private static final List<ClientOp> CLEAN_OPS = List.of(
            op("k1", 100, 200, 201, false, "aa"), op("k1", 300, 310, 201, true, "aa"),
            op("k2", 100, 400, 201, false, "bb"), op("k2", 150, 401, 201, true, "bb"),
            new ClientOp("k3", 100, 101, 503, false, "-", "store-unavailable"));
    private static final List<Execution> CLEAN_EXECS = List.of(exec("k1", 10, 150), exec("k2", 20, 120));

    @Test
    void aCleanHistoryPasses() {
        HistoryChecker.Result r = check(true, Map.of(), CLEAN_OPS, CLEAN_EXECS);

        assertThat(r.ok()).isTrue();
        assertThat(r.keys()).isEqualTo(3);
        assertThat(r.executions()).isEqualTo(2);
        assertThat(r.allowedByReason()).isEmpty();
    }

    @Test
    void aSecondExecutionWithoutAnAllowingEventIsADuplicate() {
        HistoryChecker.Result r = check(true, Map.of(),
                List.of(op("k", 100, 200, 201, false, "aa"), op("k", 150, 250, 201, true, "aa")),
                List.of(exec("k", 1, 120), exec("k", 2, 160)));

        assertThat(r.ok()).isFalse();
        assertThat(r.violations()).singleElement().satisfies(v -> {
            assertThat(v.key()).isEqualTo("k");
            assertThat(v.kinds()).containsExactly(Violation.DUPLICATE_EXECUTION);
            assertThat(v.detail()).contains("executed 2 times, 1 allowed");
        });
    }

    @Test
    void anOperationWithUnknownOutcomeAllowsOneMoreExecutionOnReexecuteRoutesOnly() {
        List<ClientOp> ops = List.of(lost("k", 100, 10_100), op("k", 10_200, 10_300, 201, false, "bb"));
        List<Execution> ex = List.of(exec("k", 1, 120), exec("k", 2, 10_250));

        HistoryChecker.Result reexecute = check(true, Map.of(), ops, ex);
        HistoryChecker.Result reject = check(false, Map.of(), ops, ex);

        assertThat(reexecute.ok()).isTrue();
        assertThat(reexecute.allowedByReason()).containsEntry("outcome-unknown", 1L);
        assertThat(reject.violationCount(Violation.DUPLICATE_EXECUTION)).isEqualTo(1);
        // one unknown outcome allows one extra execution, not two
        HistoryChecker.Result thrice = check(true, Map.of(), ops, List.of(exec("k", 1, 120), exec("k", 2, 10_250), exec("k", 3, 10_260)));
        assertThat(thrice.violationCount(Violation.DUPLICATE_EXECUTION)).isEqualTo(1);
    }

    @Test
    void a502ThatNeverLeftTheGatewayAllowsNothing() {
        List<ClientOp> ops = List.of(new ClientOp("k", 100, 110, 502, false, "-", "upstream-unreachable"),
                op("k", 200, 300, 201, false, "aa"));

        assertThat(check(true, Map.of(), ops, List.of(exec("k", 1, 150), exec("k", 2, 250))).ok()).isFalse();
        List<ClientOp> failedAfterSending = List.of(new ClientOp("k", 100, 110, 502, false, "-", "upstream-failed"),
                op("k", 200, 300, 201, false, "aa"));
        assertThat(check(true, Map.of(), failedAfterSending, List.of(exec("k", 1, 105), exec("k", 2, 250))).ok()).isTrue();
    }

    @Test
    void aReplayThatDiffersFromTheFirstAnswerIsFound() {
        HistoryChecker.Result r = check(true, Map.of(),
                List.of(op("k", 100, 200, 201, false, "aa"), op("k", 300, 310, 201, true, "ab")),
                List.of(exec("k", 1, 150)));

        assertThat(r.violations()).singleElement().satisfies(v -> assertThat(v.kinds()).containsExactly(Violation.REPLAY_DIFFERS));
    }

    @Test
    void aFreshAnswerAfterTheClientHadOneIsALostCompletion() {
        // The client had 201 "aa"; a retry sent later executed again (the store lost the record): three violations at once.
        HistoryChecker.Result r = check(true, Map.of(),
                List.of(op("k", 100, 200, 201, false, "aa"), op("k", 5_000, 5_100, 201, false, "cc")),
                List.of(exec("k", 1, 150), exec("k", 2, 5_050)));

        assertThat(r.violations()).singleElement().satisfies(v -> assertThat(v.kinds())
                .containsExactlyInAnyOrder(Violation.DUPLICATE_EXECUTION, Violation.REPLAY_DIFFERS, Violation.COMPLETION_LOST));
    }

    @Test
    void aRunAllowanceCountedByTheGatewayExcusesThatManyLostCompletionsAndNoMore() {
        List<ClientOp> ops = List.of(
                op("a", 100, 200, 201, false, "a1"), op("a", 5_000, 5_100, 201, false, "a2"),
                op("b", 110, 210, 201, false, "b1"), op("b", 5_010, 5_110, 201, false, "b2"));
        List<Execution> ex = List.of(exec("a", 1, 150), exec("b", 2, 160), exec("a", 3, 5_050), exec("b", 4, 5_060));

        HistoryChecker.Result one = check(true, Map.of("unconfirmed-wait", 1L), ops, ex);

        assertThat(one.allowedByReason()).containsEntry("unconfirmed-wait", 1L);
        assertThat(one.violations()).extracting(HistoryChecker.KeyViolation::key).containsExactly("b"); // the earliest key used it
        assertThat(one.allowanceLeft()).containsEntry("unconfirmed-wait", 0L);
        assertThat(check(true, Map.of("fail-open", 2L), ops, ex).ok()).isTrue();
    }

    @Test
    void aTwoHundredWithoutAnyExecutionIsFound() {
        HistoryChecker.Result r = check(true, Map.of(), List.of(op("k", 100, 200, 201, false, "aa")), List.of());

        assertThat(r.violations()).singleElement().satisfies(v -> assertThat(v.kinds()).containsExactly(Violation.ANSWERED_NOT_EXECUTED));
    }

    @Test
    void aFenceThatReachesTheUpstreamTwiceIsFound() {
        HistoryChecker.Result r = check(true, Map.of(), List.of(lost("k", 100, 900), op("k", 1_000, 1_100, 201, false, "aa")),
                List.of(exec("k", 7, 150), exec("k", 7, 1_050)));

        assertThat(r.violations()).singleElement().satisfies(v -> assertThat(v.kinds()).containsExactly(Violation.FENCE_REUSED));
    }

    @Test
    void aStaleFenceExecutedAfterAHigherOneIsFoundAndOneRefusedByTheLedgerIsNot() {
        // The paused owner's request (fence 1) reaches the upstream after its successor's (fence 2).
        List<ClientOp> ops = List.of(lost("k", 100, 9_000), op("k", 5_000, 5_100, 201, false, "bb"));

        HistoryChecker.Result accepted = check(true, Map.of(), ops, List.of(exec("k", 2, 5_050), exec("k", 1, 8_000)));
        HistoryChecker.Result refused = check(true, Map.of(), ops,
                List.of(exec("k", 2, 5_050), new Execution("k", 1, 8_000, false)));

        assertThat(accepted.violations()).singleElement()
                .satisfies(v -> assertThat(v.kinds()).containsExactly(Violation.STALE_FENCE_ACCEPTED));
        assertThat(refused.ok()).isTrue();
        assertThat(refused.staleRefused()).isEqualTo(1);
        assertThat(refused.executions()).isEqualTo(1);
    }

    @Test
    void theCommandReadsTheFilesPrintsTheVerdictAndExitsByIt(@TempDir Path dir) throws Exception {
        Path client = dir.resolve("client.tsv");
        Path ledger = dir.resolve("ledger.tsv");
        try (HistoryWriter c = new HistoryWriter(client, ClientOp.HEADER); HistoryWriter l = new HistoryWriter(ledger, Execution.HEADER)) {
            CLEAN_OPS.forEach(o -> o.writeTo(c));
            CLEAN_EXECS.forEach(e -> e.writeTo(l));
        }
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
        Path results = dir.resolve("check.json");

        assertThat(CheckCommand.run(List.of("--client", client.toString(), "--ledger", ledger.toString(),
                "--results", results.toString()), out, out)).isZero();
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("verdict: OK (3 keys)");
        assertThat(Files.readString(results)).startsWith("{\"ok\":true,\"keys\":3,");

        Files.writeString(ledger, "k1\t11\t160\taccepted\n", java.nio.file.StandardOpenOption.APPEND);
        printed.reset();
        assertThat(CheckCommand.run(List.of("--client", client.toString(), "--ledger", ledger.toString()), out, out)).isEqualTo(1);
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("verdict: VIOLATED — 1 of 3 keys: duplicate-execution 1")
                .contains("k1 [duplicate-execution]");
        assertThat(CheckCommand.run(List.of("--client", client.toString()), out, out)).isEqualTo(2);
        assertThat(CheckCommand.run(List.of("--client", client.toString(), "--ledger", ledger.toString(), "--allow", "x"), out, out))
                .isEqualTo(2);
    }
}
