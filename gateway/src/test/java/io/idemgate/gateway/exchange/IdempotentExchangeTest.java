package io.idemgate.gateway.exchange;

import static io.idemgate.gateway.exchange.ExchangeTestBed.headText;
import static io.idemgate.gateway.exchange.ExchangeTestBed.postHead;
import static io.idemgate.gateway.exchange.ExchangeTestBed.release;
import static io.idemgate.gateway.exchange.ExchangeTestBed.status;
import static io.idemgate.gateway.exchange.ExchangeTestBed.text;
import static org.assertj.core.api.Assertions.assertThat;

import io.idemgate.gateway.http.UpstreamRequestHead;
import io.idemgate.gateway.identity.ScopeResult;
import io.idemgate.gateway.store.ClaimResult;
import io.idemgate.gateway.store.ForwardingIdempotencyStore;
import io.idemgate.gateway.store.IdempotencyStore;
import io.idemgate.gateway.store.memory.MemoryIdempotencyStore;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The {@link IdempotentExchange}'s states, each meeting client close, a stalled body, and the store's
 * answers, on an EmbeddedChannel with the memory store.
 */
class IdempotentExchangeTest {

    private final MemoryIdempotencyStore memory = new MemoryIdempotencyStore(1_000);
    private final List<ExchangeTestBed> beds = new ArrayList<>();

    @AfterEach
    void close() {
        beds.forEach(ExchangeTestBed::close);
        memory.close();
    }

    // ---- AGGREGATING

    @Test
    void theClientLeavingWhileTheBodyArrivesLeavesNoTraceAndHoldsNothing() {
        ExchangeTestBed bed = bed("");
        IdempotentExchange ex = start(bed, postHead(4, "Idempotency-Key", "k1"));
        ex.onRequestContent(part("ab"));
        bed.connection.clientClosed();

        assertThat(ex.state()).isEqualTo(IdempotentState.DONE);
        assertThat(bed.services.bodyBudget().used()).isZero();
        assertThat(memory.size()).isZero();
    }

    @Test
    void aStalledBodyIs408AndClaimsNothing() {
        ExchangeTestBed bed = bed("");
        IdempotentExchange ex = start(bed, postHead(4, "Idempotency-Key", "k1"));
        bed.connection.closing = true; // as the receiver does before telling the exchange
        ex.onRequestBodyTimeout();

        assertThat(ex.state()).isEqualTo(IdempotentState.DONE);
        assertThat(firstStatus(bed)).isEqualTo(408);
        assertThat(memory.size()).isZero();
    }

    @Test
    void aBodyOverTheLimitIs413AndCloses() {
        ExchangeTestBed bed = bed("max-request-body = 4");
        IdempotentExchange ex = start(bed, postHead(0, "Idempotency-Key", "k1", "Transfer-Encoding", "chunked"));
        ex.onRequestContent(part("abcdef"));

        assertThat(ex.state()).isEqualTo(IdempotentState.DONE);
        assertThat(firstStatus(bed)).isEqualTo(413);
        assertThat(bed.connection.finishedKeepAlive).isFalse();
    }

    @Test
    void aMissingRequiredKeyIs400() {
        ExchangeTestBed bed = bed("");
        IdempotentExchange ex = start(bed, postHead(2));
        assertThat(ex.state()).isEqualTo(IdempotentState.DONE);
        bed.connection.current.onRequestContent(last("{}")); // the LocalExchange discards it, then answers
        assertThat(firstStatus(bed)).isEqualTo(400);
    }

    @Test
    void anOptionalKeyMissingFromTheBodyForwardsTheWholeBody() {
        // Once a hang and a leak: the aggregated body was never forwarded, and never released.
        ExchangeTestBed bed = bed("key { json-pointer = \"/id\", required = false }");
        IdempotentExchange ex = start(bed, postHead(9));
        ex.onRequestContent(last("{\"a\": 1}\n"));

        assertThat(ex.state()).isEqualTo(IdempotentState.DONE);
        assertThat(bed.connection.current).isInstanceOf(ProxyExchange.class);
        List<Object> sent = bed.upstreamGot();
        assertThat(sent.get(0)).isInstanceOf(UpstreamRequestHead.class);
        assertThat(text(sent.get(1))).isEqualTo("{\"a\": 1}\n");
        release(sent);
        assertThat(memory.size()).isZero();
    }

    // ---- SCOPING

    @Test
    void aVerifiedTokenLetsTheParkedExchangeClaim() {
        CompletableFuture<ScopeResult> verifying = new CompletableFuture<>();
        ExchangeTestBed bed = scopedBed(verifying);
        IdempotentExchange ex = start(bed, postHead(2, "Idempotency-Key", "k1"));
        ex.onRequestContent(last("{}"));
        assertThat(ex.state()).isEqualTo(IdempotentState.SCOPING);

        verifying.complete(new ScopeResult.Resolved("alice"));
        bed.runTasks(); // the verification hops back to the loop, then the store answers
        bed.runTasks();

        assertThat(ex.state()).isEqualTo(IdempotentState.DONE);
        assertThat(bed.connection.current).isInstanceOf(ProxyExchange.class);
        release(bed.upstreamGot());
        assertThat(memory.size()).isEqualTo(1);
    }

    @Test
    void aRefusedTokenIs401AndClaimsNothing() {
        CompletableFuture<ScopeResult> verifying = new CompletableFuture<>();
        ExchangeTestBed bed = scopedBed(verifying);
        IdempotentExchange ex = start(bed, postHead(2, "Idempotency-Key", "k1"));
        ex.onRequestContent(last("{}"));

        verifying.complete(new ScopeResult.InvalidToken("expired"));
        bed.runTasks();

        assertThat(ex.state()).isEqualTo(IdempotentState.DONE);
        assertThat(firstStatus(bed)).isEqualTo(401);
        assertThat(memory.size()).isZero();
    }

    @Test
    void theClientLeavingWhileTheTokenIsVerifiedClaimsNothingWhenItIs() {
        CompletableFuture<ScopeResult> verifying = new CompletableFuture<>();
        ExchangeTestBed bed = scopedBed(verifying);
        IdempotentExchange ex = start(bed, postHead(2, "Idempotency-Key", "k1"));
        ex.onRequestContent(last("{}"));
        bed.connection.clientClosed();
        assertThat(ex.state()).isEqualTo(IdempotentState.DONE);

        verifying.complete(new ScopeResult.Resolved("alice"));
        bed.runTasks();

        assertThat(ex.state()).isEqualTo(IdempotentState.DONE);
        assertThat(bed.clientGot()).isEmpty();
        assertThat(memory.size()).isZero();
        assertThat(bed.services.bodyBudget().used()).isZero();
    }

    // ---- CLAIMING

    @Test
    void theClientLeavingWhileClaimingReleasesTheKeyItWon() {
        ExchangeTestBed bed = bed("");
        IdempotentExchange ex = start(bed, postHead(2, "Idempotency-Key", "k1"));
        ex.onRequestContent(last("{}"));
        assertThat(ex.state()).isEqualTo(IdempotentState.CLAIMING);

        bed.connection.clientClosed();
        assertThat(ex.state()).isEqualTo(IdempotentState.CLAIMING_CLIENT_GONE);
        bed.runTasks(); // the store's answer: claimed, so released at once

        assertThat(bed.upstreamGot()).isEmpty();
        assertThat(memory.size()).isZero();
    }

    @Test
    void aBodyTimeoutWhileClaimingIsNotActedOn() {
        // The body is whole by now: the clock that fired belongs to no part of this exchange.
        ExchangeTestBed bed = bed("");
        IdempotentExchange ex = start(bed, postHead(2, "Idempotency-Key", "k1"));
        ex.onRequestContent(last("{}"));
        ex.onRequestBodyTimeout();
        assertThat(ex.state()).isEqualTo(IdempotentState.CLAIMING);

        bed.runTasks();

        assertThat(ex.state()).isEqualTo(IdempotentState.DONE);
        assertThat(bed.connection.current).isInstanceOf(ProxyExchange.class);
        release(bed.upstreamGot());
    }

    @Test
    void aStoreFailureAfterTheClientLeftWritesNothing() {
        ExchangeTestBed bed = bed("on-store-failure = fail-open", failingClaims());
        IdempotentExchange ex = start(bed, postHead(2, "Idempotency-Key", "k1"));
        ex.onRequestContent(last("{}"));
        bed.connection.clientClosed();
        bed.runTasks();

        assertThat(ex.state()).isEqualTo(IdempotentState.CLAIMING_CLIENT_GONE);
        assertThat(bed.connection.handOvers).isZero();
        assertThat(bed.upstreamGot()).isEmpty();
        assertThat(bed.clientGot()).isEmpty();
    }

    @Test
    void aDuplicateWhoseClientLeftWhileClaimingDoesNotWait() {
        run(bed(""), "k1", "{}");
        ExchangeTestBed dup = bed("");
        IdempotentExchange ex = start(dup, postHead(2, "Idempotency-Key", "k1"));
        ex.onRequestContent(last("{}"));
        dup.connection.clientClosed();
        dup.runTasks(); // the store's answer: the first attempt is in flight

        assertThat(ex.state()).isEqualTo(IdempotentState.CLAIMING_CLIENT_GONE);
        assertThat(memory.waiterCount()).isZero();
        assertThat(dup.clientGot()).isEmpty();
    }

    @Test
    void aWonClaimExecutesWithTheWholeBody() {
        ExchangeTestBed bed = bed("fence-header = \"Idempotency-Fence\"");
        IdempotentExchange ex = run(bed, "k1", "{}");

        assertThat(ex.state()).isEqualTo(IdempotentState.DONE);
        List<Object> sent = bed.upstreamGot();
        try {
            assertThat(headText((UpstreamRequestHead) sent.get(0))).containsPattern("(?i)\r\nIdempotency-Fence: [^\r]+\r\n");
            assertThat(text(sent.get(1))).isEqualTo("{}");
        } finally {
            release(sent);
        }
        answer(bed, 201, "made");
        release(bed.clientGot());
        bed.runTasks();
        assertThat(memory.size()).isEqualTo(1);
    }

    @Test
    void aStoreThatFailsIs503WhenFailingClosed() {
        ExchangeTestBed bed = bed("", failingClaims());
        run(bed, "k1", "{}");

        assertThat(firstStatus(bed)).isEqualTo(503);
    }

    @Test
    void aStoreThatFailsPassesTheRequestThroughWhenFailingOpen() {
        ExchangeTestBed bed = bed("on-store-failure = fail-open", failingClaims());
        run(bed, "k1", "{}");

        List<Object> sent = bed.upstreamGot();
        assertThat(text(sent.get(1))).isEqualTo("{}");
        release(sent);
    }

    // ---- the store's answers

    @Test
    void aCompletedKeyIsReplayed() {
        ExchangeTestBed first = bed("");
        run(first, "k1", "{}");
        release(first.upstreamGot());
        answer(first, 201, "made");
        release(first.clientGot());
        first.runTasks();

        ExchangeTestBed retry = bed("");
        run(retry, "k1", "{}");

        List<Object> got = retry.clientGot();
        assertThat(status(got.get(0))).isEqualTo(201);
        assertThat(((HttpResponse) got.get(0)).headers().get("Idempotent-Replayed")).isEqualTo("true");
        assertThat(text(got.get(0))).isEqualTo("made");
        release(got);
        assertThat(retry.upstreamGot()).isEmpty();
    }

    @Test
    void aKeyReusedForAnotherRequestIs422() {
        ExchangeTestBed first = bed("");
        run(first, "k1", "{}");

        ExchangeTestBed other = bed("");
        run(other, "k1", "[]");

        assertThat(firstStatus(other)).isEqualTo(422);
    }

    @Test
    void aDuplicateOfAnAttemptInFlightIs409WhenTheRouteRejects() {
        run(bed("concurrent = reject"), "k1", "{}");

        ExchangeTestBed dup = bed("concurrent = reject");
        run(dup, "k1", "{}");

        assertThat(firstStatus(dup)).isEqualTo(409);
    }

    // ---- WAITING

    @Test
    void aWaitingDuplicateIsReplayedWhenTheFirstCompletes() {
        ExchangeTestBed first = bed("");
        run(first, "k1", "{}");
        ExchangeTestBed dup = bed("");
        IdempotentExchange waiting = run(dup, "k1", "{}");
        assertThat(waiting.state()).isEqualTo(IdempotentState.WAITING);

        release(first.upstreamGot());
        answer(first, 200, "ok");
        release(first.clientGot());
        first.runTasks();
        dup.runTasks(); // woken: claims again, finds it completed
        dup.runTasks();

        assertThat(waiting.state()).isEqualTo(IdempotentState.DONE);
        List<Object> got = dup.clientGot();
        assertThat(status(got.get(0))).isEqualTo(200);
        release(got);
    }

    @Test
    void aWaitingDuplicateWhoseClientLeavesStopsWaiting() {
        run(bed(""), "k1", "{}");
        ExchangeTestBed dup = bed("");
        IdempotentExchange waiting = run(dup, "k1", "{}");

        dup.connection.clientClosed();

        assertThat(waiting.state()).isEqualTo(IdempotentState.DONE);
        assertThat(memory.waiterCount()).isZero();
    }

    @Test
    void aBodyTimeoutWhileWaitingIsNotActedOn() {
        run(bed(""), "k1", "{}");
        ExchangeTestBed dup = bed("");
        IdempotentExchange waiting = run(dup, "k1", "{}");
        waiting.onRequestBodyTimeout();

        assertThat(waiting.state()).isEqualTo(IdempotentState.WAITING);
        assertThat(dup.clientGot()).isEmpty();
        dup.connection.clientClosed();
    }

    // ---- DONE

    @Test
    void eventsAfterTheAnswerAreNotActedOn() {
        ExchangeTestBed bed = bed("");
        IdempotentExchange ex = start(bed, postHead(2)); // 400: the key is missing
        assertThat(ex.state()).isEqualTo(IdempotentState.DONE);

        ex.onRequestContent(last("{}")); // released, not aggregated
        ex.onRequestBodyTimeout();
        ex.onClientClosed();

        assertThat(ex.state()).isEqualTo(IdempotentState.DONE);
        assertThat(bed.services.bodyBudget().used()).isZero();
        assertThat(memory.size()).isZero();
        bed.connection.current.onRequestContent(last("{}")); // the LocalExchange that answers: body read, 400 sent
        assertThat(firstStatus(bed)).isEqualTo(400);
    }

    @Test
    void aWaitThatOutlastsItsTimeoutIs409() throws Exception {
        run(bed(""), "k1", "{}");
        ExchangeTestBed dup = bed("wait-timeout = 1ms");
        IdempotentExchange waiting = run(dup, "k1", "{}");

        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (waiting.state() == IdempotentState.WAITING && System.nanoTime() < deadline) {
            dup.client.runScheduledPendingTasks(); // the timer is due after 1 ms of real time
            Thread.onSpinWait();
        }

        assertThat(waiting.state()).isEqualTo(IdempotentState.DONE);
        assertThat(firstStatus(dup)).isEqualTo(409);
    }

    // ---- helpers

    private ExchangeTestBed bed(String idempotency) {
        return bed(idempotency, memory);
    }

    private ExchangeTestBed bed(String idempotency, IdempotencyStore store) {
        ExchangeTestBed bed = new ExchangeTestBed("idempotency { scope.headers = [] \n" + idempotency + " }", store);
        beds.add(bed);
        return bed;
    }

    /** A route whose scope is a token verified off the loop: {@code verifying} is the verification. */
    private ExchangeTestBed scopedBed(CompletableFuture<ScopeResult> verifying) {
        ExchangeTestBed bed = new ExchangeTestBed("idempotency { scope.headers = [] }", memory,
                headers -> new ScopeResult.Pending(verifying));
        beds.add(bed);
        return bed;
    }

    private static IdempotentExchange start(ExchangeTestBed bed, HttpRequest head) {
        IdempotentExchange ex = new IdempotentExchange(bed.context(head));
        bed.connection.start(ex);
        ex.start();
        return ex;
    }

    /** A request with {@code key} and {@code body}, read whole, and the store's first answer acted on. */
    private static IdempotentExchange run(ExchangeTestBed bed, String key, String body) {
        IdempotentExchange ex = start(bed, postHead(body.length(), "Idempotency-Key", key));
        ex.onRequestContent(last(body));
        bed.runTasks();
        return ex;
    }

    private static void answer(ExchangeTestBed bed, int status, String body) {
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status));
        head.headers().set("Content-Length", body.length());
        bed.upstream.writeInbound(head, last(body));
    }

    private static int firstStatus(ExchangeTestBed bed) {
        List<Object> got = bed.clientGot();
        try {
            return status(got.get(0));
        } finally {
            release(got);
        }
    }

    private IdempotencyStore failingClaims() {
        return new ForwardingIdempotencyStore(memory) {
            @Override
            public CompletionStage<ClaimResult> claim(String id, String fingerprint, String owner, Duration lease,
                                                      boolean takeOverUnknown, Duration ttl) {
                return CompletableFuture.failedFuture(new IllegalStateException("store down"));
            }
        };
    }

    private static DefaultHttpContent part(String s) {
        return new DefaultHttpContent(Unpooled.copiedBuffer(s, StandardCharsets.UTF_8));
    }

    private static DefaultLastHttpContent last(String s) {
        return new DefaultLastHttpContent(Unpooled.copiedBuffer(s, StandardCharsets.UTF_8));
    }
}
