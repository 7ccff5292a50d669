package io.idemgate.gateway.http;

import io.idemgate.gateway.idempotency.BodyChunks;
import io.idemgate.gateway.idempotency.StoredResponse;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The tee: copies a response as it streams to the client, so it can be stored for replays. Bounded:
 * past {@code maxBody} bytes it stops copying and keeps status and headers only ("body omitted"), so a
 * large download costs the gateway no more than the limit. The copy is kept in chunks of
 * {@link BodyChunks#CHUNK_SIZE} bytes: a full chunk is sealed as it is and never copied again, and
 * only the chunk being filled grows (by doubling), so a small body stays small and a large one never
 * needs one giant array. Used on one event loop; owns no ByteBuf.
 */
public final class ResponseRecorder {

    private static final int FIRST_CAPACITY = 256;

    private final long maxBody;
    private final java.util.function.Predicate<String> keep;
    private int status;
    private List<Map.Entry<String, String>> headers = List.of();
    private final List<byte[]> sealed = new ArrayList<>();
    private byte[] current = new byte[FIRST_CAPACITY];
    private int filled;
    private long size;
    private boolean omitted;

    public ResponseRecorder(long maxBody) {
        this(maxBody, name -> true);
    }

    /** @param keep which headers the record keeps ({@code idempotency.replay}); order and duplicates are kept */
    public ResponseRecorder(long maxBody, java.util.function.Predicate<String> keep) {
        this.maxBody = maxBody;
        this.keep = keep;
    }

    /** @param endToEnd the response headers with hop-by-hop ones already removed */
    public void head(int status, HttpHeaders endToEnd) {
        this.status = status;
        List<Map.Entry<String, String>> copy = new ArrayList<>(endToEnd.size());
        for (Map.Entry<String, String> h : endToEnd) {
            if (keep.test(h.getKey())) {
                copy.add(Map.entry(h.getKey(), h.getValue()));
            }
        }
        this.headers = copy;
    }

    /** Copies the readable bytes of {@code content} without changing its indexes. */
    public void content(ByteBuf content) {
        if (omitted) {
            return;
        }
        int n = content.readableBytes();
        if (size + n > maxBody) {
            omitted = true;
            sealed.clear();
            current = null;
            return;
        }
        int from = content.readerIndex();
        int left = n;
        while (left > 0) {
            if (filled == BodyChunks.CHUNK_SIZE) {
                sealed.add(current);
                current = new byte[Math.min(BodyChunks.CHUNK_SIZE, Math.max(FIRST_CAPACITY, left))];
                filled = 0;
            }
            if (filled == current.length) {
                current = Arrays.copyOf(current, Math.min(BodyChunks.CHUNK_SIZE,
                        Math.max(current.length * 2, filled + left)));
            }
            int take = Math.min(left, current.length - filled);
            content.getBytes(from, current, filled, take);
            from += take;
            filled += take;
            left -= take;
        }
        size += n;
    }

    public boolean bodyOmitted() {
        return omitted;
    }

    public StoredResponse toStoredResponse() {
        if (omitted) {
            return new StoredResponse(status, headers, BodyChunks.EMPTY, true);
        }
        List<byte[]> chunks = new ArrayList<>(sealed.size() + 1);
        chunks.addAll(sealed);
        if (filled > 0) {
            chunks.add(filled == current.length ? current : Arrays.copyOf(current, filled));
        }
        return new StoredResponse(status, headers, BodyChunks.of(chunks), false);
    }
}
