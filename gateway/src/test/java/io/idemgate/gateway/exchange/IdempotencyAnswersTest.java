package io.idemgate.gateway.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.handler.codec.http.FullHttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The problem extension members a client can act on (RFC 9457 §3.2), as docs/responses.md shows them. */
class IdempotencyAnswersTest {

    private static final UnpooledByteBufAllocator ALLOC = UnpooledByteBufAllocator.DEFAULT;

    private static String body(FullHttpResponse r) {
        try {
            return r.content().toString(StandardCharsets.UTF_8);
        } finally {
            r.release();
        }
    }

    @Test
    void inFlightSaysSoAndWhenToRetryInTheBodyAndTheHeader() {
        FullHttpResponse r = IdempotencyAnswers.inFlight(ALLOC, 1_200_000_000L);
        assertThat(r.headers().get("Retry-After")).isEqualTo("3");
        assertThat(body(r)).endsWith(",\"idempotency_state\":\"in_flight\",\"retry_after\":3}");
    }

    @Test
    void outcomeUnknownNeverCallsANewKeySafe() {
        assertThat(body(IdempotencyAnswers.outcomeUnknown(ALLOC, 0)))
                .endsWith(",\"idempotency_state\":\"outcome_unknown\",\"retry_after\":1,\"retry_with_new_key_safe\":false}");
    }

    @Test
    void keyReusedNamesWhatTheOtherPayloadsRecordIsDoing() {
        assertThat(body(IdempotencyAnswers.keyReused(ALLOC, "completed_with_other_payload")))
                .contains("\"status\":422").endsWith(",\"idempotency_state\":\"completed_with_other_payload\"}");
    }

    @Test
    void every503CarriesRetryAfterInTheBody() {
        assertThat(body(IdempotencyAnswers.storeUnavailable(ALLOC))).endsWith(",\"retry_after\":1}");
        assertThat(body(IdempotencyAnswers.overloaded(ALLOC))).endsWith(",\"retry_after\":1}");
        assertThat(body(IdempotencyAnswers.tokenVerificationUnavailable(ALLOC))).endsWith(",\"retry_after\":5}");
    }
}
