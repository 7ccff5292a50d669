package io.idemgate.gateway.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.idemgate.gateway.idempotency.BodyChunks;
import io.idemgate.gateway.idempotency.BodyGoneException;
import io.idemgate.gateway.idempotency.IdempotencyRecord.Completed;
import io.idemgate.gateway.idempotency.StoredBody;
import io.idemgate.gateway.idempotency.StoredResponse;
import io.idemgate.gateway.store.IdempotencyStoreContract;
import io.idemgate.gateway.testsupport.DeterministicBytes;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/**
 * The store contract against a real Redis, which keeps time itself: leases and TTLs are short, and
 * time passes by waiting, since no clock of ours can move Redis's. Plus what only a store that keeps
 * chunks apart from the record must do.
 */
abstract class RedisStoreContract extends IdempotencyStoreContract {

    /** Redis's clock, not ours, floors fences; on one machine they agree to well within a second. */
    @Override
    protected long micros() {
        return (System.currentTimeMillis() - 1_000) * 1_000;
    }

    @Test
    void aReplayThatOutlivesItsPurgedRecordFindsItsChunksGoneNotAnotherBody() {
        claim(FINGERPRINT, OWNER, false);
        await(store.complete(id, OWNER, fence, new StoredResponse(200, List.of(),
                DeterministicBytes.bytes(2 * BodyChunks.CHUNK_SIZE), false), ttl()));
        StoredBody body = ((Completed) record()).response().body();
        assertThat(await(body.chunk(0))).hasSize(BodyChunks.CHUNK_SIZE);

        await(store.delete(id));
        claim(FINGERPRINT, OTHER_OWNER, false);
        await(store.complete(id, OTHER_OWNER, fence, new StoredResponse(200, List.of(),
                new byte[3 * BodyChunks.CHUNK_SIZE], false), ttl()));

        assertThat(body.chunk(1).toCompletableFuture()).failsWithin(Duration.ofSeconds(2))
                .withThrowableOfType(ExecutionException.class).withCauseInstanceOf(BodyGoneException.class);
    }

    @Override
    protected void letTimePass(Duration duration) {
        try {
            Thread.sleep(duration.toMillis() + 50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    protected Duration lease() {
        return Duration.ofSeconds(1);
    }

    @Override
    protected Duration ttl() {
        return Duration.ofMillis(1500);
    }

    @Override
    protected Duration wakeWithin() {
        return Duration.ofSeconds(3);
    }
}
