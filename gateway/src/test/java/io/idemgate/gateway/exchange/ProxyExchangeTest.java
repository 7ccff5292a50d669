package io.idemgate.gateway.exchange;

import static io.idemgate.gateway.exchange.ExchangeTestBed.postHead;
import static io.idemgate.gateway.exchange.ExchangeTestBed.release;
import static io.idemgate.gateway.exchange.ExchangeTestBed.status;
import static io.idemgate.gateway.exchange.ExchangeTestBed.text;
import static org.assertj.core.api.Assertions.assertThat;

import io.idemgate.gateway.http.UpstreamRequestHead;
import io.idemgate.gateway.idempotency.Outcome;
import io.idemgate.gateway.upstream.UpstreamConnection;
import io.idemgate.gateway.upstream.UpstreamUnavailableException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.Promise;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The {@link ProxyExchange}'s states, each meeting client close, upstream close, timeout and the upstream's answer. */
class ProxyExchangeTest {

    private final ExchangeTestBed bed = new ExchangeTestBed("idempotency.methods = []", null);
    private final RecordingTap tap = new RecordingTap();

    @AfterEach
    void close() {
        bed.close();
    }

    // ---- NEW

    @Test
    void aPassThroughRefusedByTheHandOverCountsAndLogsNothing() throws Exception {
        ProxyExchange ex = new ProxyExchange(bed.context(postHead(2)));
        bed.connection.clientClosed(); // nothing current: as if the hand-over had been refused
        ex.onClientClosed();

        assertThat(ex.state()).isEqualTo(ProxyState.DONE);
        assertThat(bed.services.drain().awaitIdle(0)).isTrue();
        assertThat(bed.acquires).isZero();
    }

    @Test
    void anExecutionWhoseClientLeftBeforeItStartedStillRunsAndIsRecorded() {
        ProxyExchange ex = new ProxyExchange(bed.context(postHead(2)), tap, Outcome.EXECUTED);
        ex.onClientClosed();
        assertThat(ex.state()).isEqualTo(ProxyState.NEW_CLIENT_GONE);

        ex.startWithBody(Unpooled.copiedBuffer("{}", StandardCharsets.UTF_8), bed.services.bodyBudget().open());
        assertThat(ex.state()).isEqualTo(ProxyState.AWAITING_RESPONSE_CLIENT_GONE);
        answer(201, "made");

        assertThat(ex.state()).isEqualTo(ProxyState.DONE);
        assertThat(tap.events).containsExactly("head 201", "content made", "complete", "end");
        assertThat(bed.clientGot()).isEmpty();
    }

    // ---- BUFFERING

    @Test
    void aBodyIsHeldBeforeAConnectionIsTakenAndTheClientLeavingEndsIt() throws Exception {
        ProxyExchange ex = start(postHead(10));
        assertThat(ex.state()).isEqualTo(ProxyState.BUFFERING);
        ex.onRequestContent(new DefaultHttpContent(Unpooled.copiedBuffer("01234", StandardCharsets.UTF_8)));
        assertThat(bed.acquires).isZero();

        bed.connection.clientClosed();

        assertThat(ex.state()).isEqualTo(ProxyState.DONE);
        assertThat(bed.services.drain().awaitIdle(0)).isTrue();
        assertThat(bed.services.bodyBudget().used()).isZero();
    }

    @Test
    void aStalledBodyWhileBufferingIsAnswered408() {
        ProxyExchange ex = start(postHead(10));
        bed.connection.closing = true; // as the receiver does before telling the exchange
        ex.onRequestBodyTimeout();

        assertThat(ex.state()).isEqualTo(ProxyState.DONE);
        assertThat(bed.connection.handOvers).isEqualTo(1); // to the LocalExchange that answered
        assertThat(bed.connection.finishedKeepAlive).isFalse();
        List<Object> got = bed.clientGot();
        assertThat(status(got.get(0))).isEqualTo(408);
        release(got);
    }

    @Test
    void upstreamEventsWhileBufferingAreNotActedOn() {
        ProxyExchange ex = start(postHead(10));
        ex.onUpstreamDeadline(); // no upstream call yet: nothing of it can time out or close
        ex.onUpstreamClosed();

        assertThat(ex.state()).isEqualTo(ProxyState.BUFFERING);
        assertThat(bed.clientGot()).isEmpty();
        bed.connection.clientClosed();
    }

    @Test
    void theWholeBodyTakesAConnectionAndFollowsTheHead() {
        ProxyExchange ex = start(postHead(4));
        ex.onRequestContent(new DefaultLastHttpContent(Unpooled.copiedBuffer("abcd", StandardCharsets.UTF_8)));

        assertThat(ex.state()).isEqualTo(ProxyState.AWAITING_RESPONSE);
        List<Object> sent = bed.upstreamGot();
        assertThat(sent.get(0)).isInstanceOf(UpstreamRequestHead.class);
        assertThat(text(sent.get(1))).isEqualTo("abcd");
        release(sent);
    }

    // ---- ACQUIRING

    @Test
    void theClientLeavingWhileAConnectionIsMadeGivesTheConnectionBackUnused() {
        Promise<UpstreamConnection> connecting = bed.client.eventLoop().newPromise();
        bed.nextAcquire = connecting;
        ProxyExchange ex = start("{}");
        assertThat(ex.state()).isEqualTo(ProxyState.ACQUIRING);
        assertThat(bed.connection.reading).isFalse();

        bed.connection.clientClosed();
        assertThat(ex.state()).isEqualTo(ProxyState.DONE);
        connecting.setSuccess(io.idemgate.gateway.upstream.EmbeddedUpstream.over(new io.netty.channel.embedded.EmbeddedChannel()));

        assertThat(bed.upstreamGot()).isEmpty();
    }

    @Test
    void aConnectionThatCannotBeMadeIs502AndTheExecutionIsReleased() {
        bed.nextAcquire = bed.client.eventLoop().newFailedFuture(new UpstreamUnavailableException(
                UpstreamUnavailableException.Reason.CONNECT_FAILED, "refused", null));
        ProxyExchange ex = startExecution();

        assertThat(ex.state()).isEqualTo(ProxyState.DONE);
        assertThat(tap.events).containsExactly("no response (not run): upstream unreachable", "end");
        List<Object> got = bed.clientGot();
        assertThat(status(got.get(0))).isEqualTo(502);
        release(got);
    }

    // ---- AWAITING_RESPONSE

    @Test
    void anUpstreamThatClosesBeforeAnsweringIs502AndTheOutcomeUnknown() {
        ProxyExchange ex = startExecution();
        release(bed.upstreamGot());
        bed.upstream.close();

        assertThat(ex.state()).isEqualTo(ProxyState.DONE);
        assertThat(tap.events.get(0)).startsWith("no response (may have run)");
        List<Object> got = bed.clientGot();
        assertThat(status(got.get(0))).isEqualTo(502);
        release(got);
    }

    @Test
    void anUpstreamThatDoesNotAnswerIs504AndItsConnectionIsClosed() {
        ProxyExchange ex = startExecution();
        ex.onUpstreamDeadline();

        assertThat(ex.state()).isEqualTo(ProxyState.DONE);
        assertThat(bed.upstream.isOpen()).isFalse();
        assertThat(tap.events.get(0)).isEqualTo("no response (may have run): upstream response timeout");
        List<Object> got = bed.clientGot();
        assertThat(status(got.get(0))).isEqualTo(504);
        release(got);
    }

    @Test
    void aPassThroughWhoseClientLeavesWhileWaitingDropsTheUpstreamCall() throws Exception {
        ProxyExchange ex = start("{}");
        bed.connection.clientClosed();

        assertThat(ex.state()).isEqualTo(ProxyState.DONE);
        assertThat(bed.upstream.isOpen()).isFalse();
        assertThat(bed.services.drain().awaitIdle(0)).isTrue();
    }

    @Test
    void aBodyThatStallsAfterTheHeadWentUpstreamIs408AndTheUpstreamDropped() {
        ProxyExchange ex = start(postHead(2 * RequestForwarder.BUFFER_BEFORE_CONNECT));
        ex.onRequestContent(new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[RequestForwarder.BUFFER_BEFORE_CONNECT])));
        assertThat(ex.state()).isEqualTo(ProxyState.AWAITING_RESPONSE); // too large to hold: streamed

        bed.connection.closing = true; // as the receiver does before telling the exchange
        ex.onRequestBodyTimeout();

        assertThat(ex.state()).isEqualTo(ProxyState.DONE);
        assertThat(bed.upstream.isOpen()).isFalse(); // its framing is in doubt
        List<Object> got = bed.clientGot();
        assertThat(status(got.get(0))).isEqualTo(408);
        release(got);
    }

    @Test
    void anExecutionWhoseClientLeftHearsTheUpstreamCloseAndWritesNothing() {
        ProxyExchange ex = startExecution();
        bed.connection.clientClosed();
        release(bed.upstreamGot());
        bed.upstream.close();

        assertThat(ex.state()).isEqualTo(ProxyState.DONE);
        assertThat(tap.events).containsExactly(
                "no response (may have run): The upstream closed the connection before answering.", "end");
        assertThat(bed.clientGot()).isEmpty();
    }

    @Test
    void anExecutionWhoseClientLeftHearsTheTimeoutAndWritesNothing() {
        ProxyExchange ex = startExecution();
        bed.connection.clientClosed();
        ex.onUpstreamDeadline();

        assertThat(ex.state()).isEqualTo(ProxyState.DONE);
        assertThat(bed.upstream.isOpen()).isFalse();
        assertThat(tap.events).containsExactly("no response (may have run): upstream response timeout", "end");
        assertThat(bed.clientGot()).isEmpty();
    }

    @Test
    void anExecutionWhoseClientLeavesWhileWaitingStoresTheAnswerAndWritesNothing() {
        ProxyExchange ex = startExecution();
        bed.connection.clientClosed();
        assertThat(ex.state()).isEqualTo(ProxyState.AWAITING_RESPONSE_CLIENT_GONE);

        answer(200, "ok");

        assertThat(ex.state()).isEqualTo(ProxyState.DONE);
        assertThat(tap.events).containsExactly("head 200", "content ok", "complete", "end");
        assertThat(bed.clientGot()).isEmpty();
    }

    @Test
    void theLastBytesWaitUntilTheAnswerIsStored() {
        tap.stored = new java.util.concurrent.CompletableFuture<>();
        ProxyExchange ex = startExecution();

        answer(201, "made");

        List<Object> before = bed.clientGot();
        assertThat(before).as("the head may go, the last bytes wait").noneMatch(LastHttpContent.class::isInstance);
        assertThat(ex.state()).isNotEqualTo(ProxyState.DONE);
        release(before);

        tap.stored.complete(true);
        bed.client.runPendingTasks();

        List<Object> after = bed.clientGot();
        assertThat(after).anyMatch(LastHttpContent.class::isInstance);
        release(after);
        assertThat(ex.state()).isEqualTo(ProxyState.DONE);
        assertThat(bed.connection.finishedKeepAlive).isTrue();
    }

    @Test
    void anAnswerThatCouldNotBeStoredCutsTheConnectionInsteadOfEndingTheResponse() {
        tap.stored = new java.util.concurrent.CompletableFuture<>();
        ProxyExchange ex = startExecution();
        answer(201, "made");
        bed.client.flushOutbound(); // the head went out; only the last bytes are held
        release(bed.clientGot());

        tap.stored.complete(false); // the embedded loop runs the callback at once

        List<Object> after = bed.clientGot();
        assertThat(after).noneMatch(LastHttpContent.class::isInstance);
        release(after);
        assertThat(bed.client.isOpen()).isFalse();
        assertThat(ex.state()).isEqualTo(ProxyState.DONE);
    }

    @Test
    void interimResponsesAreAbsorbed() {
        ProxyExchange ex = start("{}");
        bed.upstream.writeInbound(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE),
                LastHttpContent.EMPTY_LAST_CONTENT);
        assertThat(ex.state()).isEqualTo(ProxyState.AWAITING_RESPONSE);

        answer(200, "ok");

        List<Object> got = bed.clientGot();
        assertThat(status(got.get(0))).isEqualTo(200);
        release(got);
        assertThat(bed.connection.finishedKeepAlive).isTrue();
    }

    // ---- STREAMING_RESPONSE

    @Test
    void anUpstreamThatClosesMidResponseClosesTheClientAndTheOutcomeIsUnknown() {
        ProxyExchange ex = startExecution();
        streamHead(200);
        assertThat(ex.state()).isEqualTo(ProxyState.STREAMING_RESPONSE);

        bed.upstream.close();

        assertThat(ex.state()).isEqualTo(ProxyState.DONE);
        assertThat(bed.client.isOpen()).isFalse();
        assertThat(tap.events).contains("truncated: upstream closed mid-response");
    }

    @Test
    void anUpstreamThatStallsMidResponseClosesBothSides() {
        ProxyExchange ex = start("{}");
        streamHead(200);
        ex.onUpstreamDeadline();

        assertThat(ex.state()).isEqualTo(ProxyState.DONE);
        assertThat(bed.client.isOpen()).isFalse();
        assertThat(bed.upstream.isOpen()).isFalse();
    }

    @Test
    void anExecutionWhoseClientLeavesMidResponseRecordsTheRest() {
        ProxyExchange ex = startExecution();
        streamHead(200);
        bed.connection.clientClosed();
        assertThat(ex.state()).isEqualTo(ProxyState.STREAMING_RESPONSE_CLIENT_GONE);
        release(bed.clientGot());

        bed.upstream.writeInbound(new DefaultHttpContent(bytes("ab")));
        bed.upstream.writeInbound(new DefaultLastHttpContent(bytes("cd")));

        assertThat(ex.state()).isEqualTo(ProxyState.DONE);
        assertThat(tap.events).containsExactly("head 200", "content ab", "content cd", "complete", "end");
        assertThat(bed.clientGot()).isEmpty();
    }

    @Test
    void aBodyThatStallsMidResponseClosesBothSides() {
        ProxyExchange ex = start(postHead(2 * RequestForwarder.BUFFER_BEFORE_CONNECT));
        ex.onRequestContent(new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[RequestForwarder.BUFFER_BEFORE_CONNECT])));
        streamHead(200); // an upstream may answer before the request is whole
        assertThat(ex.state()).isEqualTo(ProxyState.STREAMING_RESPONSE);

        ex.onRequestBodyTimeout();

        assertThat(ex.state()).isEqualTo(ProxyState.DONE);
        assertThat(bed.client.isOpen()).isFalse();
        assertThat(bed.upstream.isOpen()).isFalse();
    }

    @Test
    void anExecutionWhoseClientLeftMidResponseHearsTheUpstreamCloseAsATruncation() {
        ProxyExchange ex = startExecution();
        streamHead(200);
        bed.connection.clientClosed();
        release(bed.clientGot());

        bed.upstream.close();

        assertThat(ex.state()).isEqualTo(ProxyState.DONE);
        assertThat(tap.events).containsExactly("head 200", "truncated: upstream closed mid-response", "end");
        assertThat(bed.clientGot()).isEmpty();
    }

    @Test
    void aPassThroughWhoseClientLeavesMidResponseDropsTheUpstream() {
        ProxyExchange ex = start("{}");
        streamHead(200);
        bed.connection.clientClosed();

        assertThat(ex.state()).isEqualTo(ProxyState.DONE);
        assertThat(bed.upstream.isOpen()).isFalse();
    }

    @Test
    void aWholeResponseIsForwardedAndTheConnectionKeptAlive() {
        ProxyExchange ex = start("{}");
        answer(200, "hello");

        assertThat(ex.state()).isEqualTo(ProxyState.DONE);
        List<Object> got = bed.clientGot();
        assertThat(status(got.get(0))).isEqualTo(200);
        release(got);
        assertThat(bed.connection.finishedKeepAlive).isTrue();
        assertThat(bed.upstream.isOpen()).isTrue(); // back in its pool
    }

    // ---- the fallback

    @Test
    void aResponseAfterTheEndIsDroppedNotActedOn() {
        ProxyExchange ex = start("{}");
        answer(200, "hello");
        release(bed.clientGot());

        ex.onUpstreamMessage(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
        ex.onUpstreamMessage(new DefaultLastHttpContent(bytes("late")));

        assertThat(ex.state()).isEqualTo(ProxyState.DONE);
        assertThat(bed.clientGot()).isEmpty();
    }

    // ---- helpers

    /** As the receiver does: the head, then the whole body as its last content. */
    private ProxyExchange start(String body) {
        ProxyExchange ex = start(postHead(body.length()));
        ex.onRequestContent(new DefaultLastHttpContent(bytes(body)));
        return ex;
    }

    private ProxyExchange start(HttpRequest request) {
        ProxyExchange ex = new ProxyExchange(bed.context(request));
        bed.connection.start(ex);
        ex.start();
        return ex;
    }

    private ProxyExchange startExecution() {
        HttpRequest head = postHead(2);
        ProxyExchange ex = new ProxyExchange(bed.context(head), tap, Outcome.EXECUTED);
        bed.connection.start(ex);
        ex.startWithBody(bytes("{}"), bed.services.bodyBudget().open());
        return ex;
    }

    private void streamHead(int status) {
        release(bed.upstreamGot());
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status));
        head.headers().set("Transfer-Encoding", "chunked");
        bed.upstream.writeInbound(head);
    }

    private void answer(int status, String body) {
        release(bed.upstreamGot());
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status));
        head.headers().set("Content-Length", body.length());
        bed.upstream.writeInbound(head, new DefaultLastHttpContent(bytes(body))); // as the codec decodes it
    }

    private static ByteBuf bytes(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
    }

    /** Hears what an execution would record. */
    static final class RecordingTap implements ResponseTap {
        final List<String> events = new ArrayList<>();

        @Override
        public void onResponseHead(int status, HttpHeaders endToEnd) {
            events.add("head " + status);
        }

        @Override
        public void onResponseContent(ByteBuf content) {
            if (content.isReadable()) {
                events.add("content " + content.toString(StandardCharsets.UTF_8));
            }
        }

        /** What {@code onResponseComplete} answers: stored at once unless a test holds it. */
        java.util.concurrent.CompletableFuture<Boolean> stored = java.util.concurrent.CompletableFuture.completedFuture(true);

        @Override
        public java.util.concurrent.CompletionStage<Boolean> onResponseComplete() {
            events.add("complete");
            return stored;
        }

        @Override
        public void onNoResponse(boolean mayHaveExecuted, String reason) {
            events.add("no response (" + (mayHaveExecuted ? "may have run" : "not run") + "): " + reason);
        }

        @Override
        public void onResponseTruncated(String reason) {
            events.add("truncated: " + reason);
        }

        @Override
        public String keyHash() {
            return "kh";
        }

        @Override
        public long fence() {
            return 1;
        }

        @Override
        public void onExchangeEnd() {
            events.add("end");
        }
    }
}
