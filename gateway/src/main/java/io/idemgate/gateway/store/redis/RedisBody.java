package io.idemgate.gateway.store.redis;

import io.idemgate.gateway.idempotency.BodyGoneException;
import io.idemgate.gateway.idempotency.StoredBody;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.util.concurrent.CompletionStage;

/**
 * A chunked body (a format-3 record's {@code body_key}, or a v2 one's): a Redis hash of chunk index → bytes, read one chunk per HGET when a replay asks
 * for it. The key is unique to the attempt that stored it, so a replay that outlives its record
 * (purged, expired, re-executed) finds the chunk missing and never mixes in another body.
 *
 * <p>Threading: any thread; futures complete on Lettuce's I/O threads.
 */
final class RedisBody implements StoredBody {

    private final RedisClusterAsyncCommands<byte[], byte[]> redis;
    private final byte[] key;
    private final int chunks;
    private final long length;

    RedisBody(RedisClusterAsyncCommands<byte[], byte[]> redis, byte[] key, int chunks, long length) {
        this.redis = redis;
        this.key = key;
        this.chunks = chunks;
        this.length = length;
    }

    @Override
    public long length() {
        return length;
    }

    @Override
    public int chunkCount() {
        return chunks;
    }

    @Override
    public CompletionStage<byte[]> chunk(int index) {
        if (index < 0 || index >= chunks) {
            throw new IndexOutOfBoundsException(index);
        }
        return redis.hget(key, RecordCodec.bytes(index)).thenApply(bytes -> {
            if (bytes == null) {
                throw new BodyGoneException("chunk " + index + " of " + RecordCodec.utf8(key) + " is gone");
            }
            return bytes;
        });
    }

    @Override
    public boolean resident() {
        return false;
    }

    @Override
    public String toString() {
        return "RedisBody[" + RecordCodec.utf8(key) + ", " + length + " bytes in " + chunks + " chunks]";
    }
}
