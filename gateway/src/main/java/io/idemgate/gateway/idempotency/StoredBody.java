package io.idemgate.gateway.idempotency;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A stored response body as a sequence of chunks, each at most {@link BodyChunks#CHUNK_SIZE} bytes, so
 * neither the store nor a replay needs the whole body in one value or array. The chunks may be held in
 * memory ({@link BodyChunks}) or fetched one at a time from the store, which is why {@link #chunk} is
 * asynchronous: a replay asks for the next chunk only when the client can take it.
 *
 * <p>Threading: any thread; futures may complete on a store thread.
 */
public interface StoredBody {

    /** Total length in bytes: the sum of every chunk's length. */
    long length();

    int chunkCount();

    /**
     * Chunk {@code index} (0-based, below {@link #chunkCount()}). Fails with {@link BodyGoneException}
     * when the store no longer holds it (the record expired or was purged meanwhile).
     */
    CompletionStage<byte[]> chunk(int index);

    /** Whether every chunk is already in memory, so {@link #chunk} answers at once. */
    boolean resident();

    /** Every chunk, fetched in order: for operators and tests, never for a replay (that streams). */
    default CompletionStage<BodyChunks> loadAll() {
        if (this instanceof BodyChunks chunks) {
            return CompletableFuture.completedFuture(chunks);
        }
        List<byte[]> loaded = new ArrayList<>(chunkCount());
        CompletionStage<Void> chain = CompletableFuture.completedFuture(null);
        for (int i = 0; i < chunkCount(); i++) {
            int index = i;
            chain = chain.thenCompose(ignored -> chunk(index)).thenAccept(loaded::add);
        }
        return chain.thenApply(ignored -> BodyChunks.of(loaded));
    }
}
