package io.idemgate.loadtest.history;

/**
 * One client operation as the load generator saw it: a {@code POST} with {@code key}, sent at {@code sentMicros},
 * answered (or given up on) at {@code answeredMicros}. {@code status} is -1 when no answer came (timeout, connection
 * closed); {@code bodyHash} is the first 64 bits of the body's SHA-256 in hex ("-" without an answer); {@code note}
 * is the problem type slug of an error answer, or the client-side reason without one, or "-".
 */
public record ClientOp(String key, long sentMicros, long answeredMicros, int status, boolean replayed, String bodyHash,
        String note) {

    public static final String HEADER = "idemgate client history v1: key sent_us answered_us status replayed body_hash note";

    public boolean success() {
        return status >= 200 && status < 300;
    }

    /**
     * The request may have reached the upstream and its answer was lost on the way: no answer at all, a gateway
     * timeout, or an upstream that failed after the request was sent. (502 {@code upstream-unreachable} provably
     * never left the gateway.)
     */
    public boolean outcomeUnknown() {
        return status == -1 || status == 504 || (status == 502 && !note.equals("upstream-unreachable"));
    }

    Object[] fields() {
        return new Object[] {key, sentMicros, answeredMicros, status, replayed ? 1 : 0, bodyHash, note};
    }

    public static ClientOp parse(String line) {
        String[] f = line.split("\t", -1);
        if (f.length != 7) {
            throw new IllegalArgumentException("client history line needs 7 tab-separated fields: " + line);
        }
        return new ClientOp(f[0], Long.parseLong(f[1]), Long.parseLong(f[2]), Integer.parseInt(f[3]), f[4].equals("1"),
                f[5], f[6]);
    }

    public void writeTo(HistoryWriter w) {
        w.line(fields());
    }
}
