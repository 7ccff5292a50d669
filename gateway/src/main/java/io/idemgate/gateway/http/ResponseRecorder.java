package io.idemgate.gateway.http;

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
 * large download costs the gateway no more than the limit. Used on one event loop; owns no ByteBuf.
 */
public final class ResponseRecorder {

    private final long maxBody;
    private int status;
    private List<Map.Entry<String, String>> headers = List.of();
    private byte[] body = new byte[256];
    private int size;
    private boolean omitted;

    public ResponseRecorder(long maxBody) {
        this.maxBody = maxBody;
    }

    /** @param endToEnd the response headers with hop-by-hop ones already removed */
    public void head(int status, HttpHeaders endToEnd) {
        this.status = status;
        List<Map.Entry<String, String>> copy = new ArrayList<>(endToEnd.size());
        for (Map.Entry<String, String> h : endToEnd) {
            copy.add(Map.entry(h.getKey(), h.getValue()));
        }
        this.headers = copy;
    }

    /** Copies the readable bytes of {@code content} without changing its indexes. */
    public void content(ByteBuf content) {
        if (omitted) {
            return;
        }
        int n = content.readableBytes();
        if ((long) size + n > maxBody) {
            omitted = true;
            body = null;
            return;
        }
        if (size + n > body.length) {
            body = Arrays.copyOf(body, (int) Math.min(maxBody, Math.max((long) body.length * 2, size + n)));
        }
        content.getBytes(content.readerIndex(), body, size, n);
        size += n;
    }

    public boolean bodyOmitted() {
        return omitted;
    }

    public StoredResponse toStoredResponse() {
        return new StoredResponse(status, headers, omitted ? new byte[0] : Arrays.copyOf(body, size), omitted);
    }
}
