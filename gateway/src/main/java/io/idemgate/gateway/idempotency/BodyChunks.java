package io.idemgate.gateway.idempotency;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A body held in memory as chunks of at most {@link #CHUNK_SIZE} bytes (every chunk but the last is
 * full). A body of one chunk is as cheap as a plain array. Immutable: the arrays are never written after
 * construction and never handed to code that writes.
 */
public final class BodyChunks implements StoredBody {

    /** Large enough that one chunk is one efficient write or Redis value, small enough to never be a giant one. */
    public static final int CHUNK_SIZE = 64 * 1024;

    public static final BodyChunks EMPTY = new BodyChunks(List.of(), 0);

    private final List<byte[]> chunks;
    private final long length;

    private BodyChunks(List<byte[]> chunks, long length) {
        this.chunks = chunks;
        this.length = length;
    }

    /** Takes the chunks as they are (no copy); each must be at most {@link #CHUNK_SIZE} bytes and non-empty. */
    public static BodyChunks of(List<byte[]> chunks) {
        long length = 0;
        for (byte[] chunk : chunks) {
            if (chunk.length == 0 || chunk.length > CHUNK_SIZE) {
                throw new IllegalArgumentException("chunk of " + chunk.length + " bytes; must be 1.." + CHUNK_SIZE);
            }
            length += chunk.length;
        }
        return chunks.isEmpty() ? EMPTY : new BodyChunks(List.copyOf(chunks), length);
    }

    /** Splits {@code body} into chunks, copying it (for tests and small bodies; recorders append chunks instead). */
    public static BodyChunks copyOf(byte[] body) {
        if (body.length <= CHUNK_SIZE) {
            return body.length == 0 ? EMPTY : new BodyChunks(List.of(body.clone()), body.length);
        }
        byte[][] chunks = new byte[(body.length + CHUNK_SIZE - 1) / CHUNK_SIZE][];
        for (int i = 0; i < chunks.length; i++) {
            chunks[i] = Arrays.copyOfRange(body, i * CHUNK_SIZE, Math.min(body.length, (i + 1) * CHUNK_SIZE));
        }
        return new BodyChunks(List.of(chunks), body.length);
    }

    @Override
    public long length() {
        return length;
    }

    @Override
    public int chunkCount() {
        return chunks.size();
    }

    @Override
    public CompletionStage<byte[]> chunk(int index) {
        return CompletableFuture.completedFuture(chunks.get(index));
    }

    /** The chunk itself, no copy: callers must not write to it. */
    public byte[] chunkNow(int index) {
        return chunks.get(index);
    }

    @Override
    public boolean resident() {
        return true;
    }

    /** The whole body in one new array: for small bodies, operators and tests. */
    public byte[] toByteArray() {
        if (length > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("body of " + length + " bytes does not fit one array");
        }
        byte[] all = new byte[(int) length];
        int at = 0;
        for (byte[] chunk : chunks) {
            System.arraycopy(chunk, 0, all, at, chunk.length);
            at += chunk.length;
        }
        return all;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof BodyChunks that && length == that.length
                && Arrays.equals(toByteArray(), that.toByteArray());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(toByteArray());
    }

    @Override
    public String toString() {
        return "BodyChunks[" + length + " bytes in " + chunks.size() + " chunks]";
    }
}
