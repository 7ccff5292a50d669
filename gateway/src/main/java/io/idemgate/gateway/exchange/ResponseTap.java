package io.idemgate.gateway.exchange;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Hears what an executing idempotent request got from the upstream, whether or not the client is still
 * there to receive it, so the record can be completed, released or marked outcome-unknown.
 * Called on the exchange's event loop; owns no buffer it is shown.
 */
interface ResponseTap {

    /** The response began; {@code endToEnd} has the hop-by-hop headers already removed. */
    void onResponseHead(int status, HttpHeaders endToEnd);

    /** A piece of the body; read it, don't keep or release it. */
    void onResponseContent(ByteBuf content);

    /**
     * The upstream's whole response arrived. Completes with true once the outcome is stored (or nothing needed
     * storing), false if storing failed or the attempt lost the key: the exchange holds the response's last
     * bytes until then, and cuts the connection on false rather than let the client take the answer as safe.
     * May complete on any thread.
     */
    CompletionStage<Boolean> onResponseComplete();

    /**
     * No response will come.
     *
     * @param mayHaveExecuted false only when the request provably never reached the upstream (connect failed)
     */
    void onNoResponse(boolean mayHaveExecuted, String reason);

    /** The response began and then broke off (upstream closed or stalled mid-body). */
    void onResponseTruncated(String reason);

    /** Short hash of the idempotency key, for the access log. */
    String keyHash();

    /** The executing attempt's fencing number, for the access log. */
    long fence();

    /** The exchange ended; a tap that heard no outcome by now must assume the worst. */
    void onExchangeEnd();

    /** A pass-through's tap: records nothing, so nothing waits for the store. */
    ResponseTap NONE = new ResponseTap() {
        private final CompletionStage<Boolean> stored = CompletableFuture.completedFuture(true);

        @Override
        public void onResponseHead(int status, HttpHeaders endToEnd) {
        }

        @Override
        public void onResponseContent(ByteBuf content) {
        }

        @Override
        public CompletionStage<Boolean> onResponseComplete() {
            return stored;
        }

        @Override
        public void onNoResponse(boolean mayHaveExecuted, String reason) {
        }

        @Override
        public void onResponseTruncated(String reason) {
        }

        @Override
        public String keyHash() {
            return null;
        }

        @Override
        public long fence() {
            return 0;
        }

        @Override
        public void onExchangeEnd() {
        }
    };
}
