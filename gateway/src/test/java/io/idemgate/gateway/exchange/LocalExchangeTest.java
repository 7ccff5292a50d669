package io.idemgate.gateway.exchange;

import static io.idemgate.gateway.exchange.ExchangeTestBed.release;
import static org.assertj.core.api.Assertions.assertThat;

import io.idemgate.gateway.http.Problem;
import io.idemgate.gateway.http.ProblemResponses;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The gateway's own answers: when they go out, and whether the connection stays. */
class LocalExchangeTest {

    private final ExchangeTestBed bed = new ExchangeTestBed("idempotency.methods = []", null);

    @AfterEach
    void close() {
        bed.close();
    }

    @Test
    void aCompleteRequestIsAnsweredAtOnceAndTheConnectionStays() {
        LocalExchange ex = start(true, false);

        assertThat(answered()).isEqualTo("keep-alive");
        assertThat(bed.connection.finishedKeepAlive).isTrue();
        assertThat(ex).isNotNull();
    }

    @Test
    void theRestOfASmallBodyIsReadAndDiscardedFirst() {
        LocalExchange ex = start(false, false);
        assertThat(bed.clientGot()).isEmpty();

        ex.onRequestContent(new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[100])));
        assertThat(bed.clientGot()).isEmpty();
        ex.onRequestContent(new DefaultLastHttpContent(Unpooled.wrappedBuffer(new byte[100])));

        assertThat(answered()).isEqualTo("keep-alive");
        assertThat(bed.connection.finishedKeepAlive).isTrue();
    }

    @Test
    void aBodyOverTheDiscardBudgetIsAnsweredAndTheConnectionCloses() {
        LocalExchange ex = start(false, false);
        ex.onRequestContent(new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[LocalExchange.DISCARD_BUDGET + 1])));

        assertThat(answered()).isEqualTo("close");
        assertThat(bed.connection.finishedKeepAlive).isFalse();
    }

    @Test
    void aStalledBodyIsAnsweredAndTheConnectionCloses() {
        LocalExchange ex = start(false, false);
        ex.onRequestBodyTimeout();

        assertThat(answered()).isEqualTo("close");
        assertThat(bed.connection.finishedKeepAlive).isFalse();
    }

    @Test
    void brokenFramingClosesTheConnectionAfterTheAnswer() {
        LocalExchange ex = start(false, false);
        DefaultLastHttpContent broken = new DefaultLastHttpContent();
        broken.setDecoderResult(DecoderResult.failure(new IllegalArgumentException("bad chunk size")));
        ex.onRequestContent(broken);

        assertThat(answered()).isEqualTo("close");
        assertThat(bed.connection.closing).isTrue();
    }

    @Test
    void aConnectionThatIsClosingGetsConnectionClose() {
        bed.connection.closing = true;
        start(true, false);

        assertThat(answered()).isEqualTo("close");
    }

    @Test
    void theClientLeavingBeforeTheAnswerReleasesIt() {
        LocalExchange ex = start(false, false);
        bed.connection.clientClosed();

        assertThat(bed.clientGot()).isEmpty();
        assertThat(ex).isNotNull(); // the unsent response was released: the leak detector would say otherwise
    }

    private LocalExchange start(boolean requestComplete, boolean mustClose) {
        LocalExchange ex = new LocalExchange(bed.ctx, bed.connection,
                ProblemResponses.build(bed.ctx.alloc(), Problem.NO_ROUTE, "No route."), true, requestComplete, mustClose);
        bed.connection.start(ex);
        ex.begin();
        return ex;
    }

    /** @return "close" or "keep-alive": what the answer's head says of the connection */
    private String answered() {
        List<Object> got = bed.clientGot();
        try {
            assertThat(((HttpResponse) got.get(0)).status().code()).isEqualTo(404);
            return "close".equalsIgnoreCase(((HttpResponse) got.get(0)).headers().get("Connection")) ? "close" : "keep-alive";
        } finally {
            release(got);
        }
    }
}
