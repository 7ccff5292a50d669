package io.idemgate.loadtest.load;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Every key the generator sent: its body (the same bytes for every request with the key), how many
 * requests with it are in flight, and the hash of the first successful response, against which
 * every later successful response is compared byte for byte. Also the ring of recent keys that
 * duplicates draw from. Confined to the generator's event loop.
 */
final class KeyBook {

    /** One key's history. */
    static final class KeyState {
        final String key;
        final byte[] body;
        int sent;
        int inFlight;
        int successes;
        long firstHash;
        int firstStatus;
        int differingResponses;

        KeyState(String key, byte[] body) {
            this.key = key;
            this.body = body;
        }
    }

    private final String runId;
    private final int bodyBytes;
    private final Map<String, KeyState> keys;
    private final KeyState[] recent;
    private long nextKey;
    private int recentCount;

    KeyBook(int keySpace, int bodyBytes) {
        this(keySpace, bodyBytes, 16);
    }

    /**
     * @param expectedKeys how many keys the run will send, about: the map is sized for them up front, since
     *     a resize mid-run rehashes every key at once on the generator's loop (a stall measured as the target's)
     */
    KeyBook(int keySpace, int bodyBytes, long expectedKeys) {
        this.keys = new HashMap<>((int) Math.min(1 << 22, expectedKeys * 4 / 3 + 1));
        this.recent = new KeyState[keySpace];
        this.bodyBytes = bodyBytes;
        String id = Long.toString(ThreadLocalRandom.current().nextLong(36L * 36 * 36 * 36 * 36 * 36), 36);
        this.runId = "0".repeat(6 - id.length()) + id;
    }

    /** A key never sent before, unique to this run so runs against one ledger never collide. */
    KeyState fresh() {
        String key = "lg-" + runId + "-" + Long.toString(nextKey++, 36);
        KeyState s = new KeyState(key, body(key));
        keys.put(key, s);
        recent[recentCount++ % recent.length] = s;
        return s;
    }

    /** One of the most recent keys, or a fresh one before any was sent. */
    KeyState duplicate() {
        if (recentCount == 0) {
            return fresh();
        }
        int n = Math.min(recentCount, recent.length);
        return recent[ThreadLocalRandom.current().nextInt(n)];
    }

    /** Records a successful (2xx) response's body hash; one differing from the key's first is counted. */
    void recordSuccess(KeyState s, int status, long hash) {
        if (s.successes++ == 0) {
            s.firstHash = hash;
            s.firstStatus = status;
        } else if (s.firstHash != hash || s.firstStatus != status) {
            s.differingResponses++;
        }
    }

    Map<String, KeyState> keys() {
        return keys;
    }

    private byte[] body(String key) {
        StringBuilder b = new StringBuilder("{\"key\":\"").append(key).append("\",\"amount\":")
                .append(ThreadLocalRandom.current().nextInt(1, 100_000)).append(",\"pad\":\"");
        while (b.length() < bodyBytes - 2) {
            b.append('x');
        }
        return b.append("\"}").toString().getBytes(StandardCharsets.US_ASCII);
    }
}
