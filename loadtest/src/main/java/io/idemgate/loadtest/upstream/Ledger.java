package io.idemgate.loadtest.upstream;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the demo upstream has executed: how many times each idempotency key ran and the body its
 * first execution answered. The load generator reads it to prove exactly-once.
 *
 * <p>Bounded: at most {@code maxKeys} keys are tracked; beyond that the oldest-inserted key is
 * forgotten (counted in {@code evicted_keys}), so a duplicate of an evicted key goes unnoticed.
 * Thread-safe; called from every event loop.
 */
public final class Ledger {

    /** One key's history. */
    public record KeyRecord(String key, long executions, String firstBody) {
    }

    private static final class Entry {
        final AtomicLong executions = new AtomicLong();
        final byte[] firstBody;

        Entry(String firstBody) {
            this.firstBody = firstBody.getBytes(StandardCharsets.UTF_8);
        }
    }

    private final int maxKeys;
    private final ConcurrentHashMap<String, Entry> byKey = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<String> insertionOrder = new ConcurrentLinkedQueue<>();
    private final LongAdder requests = new LongAdder();
    private final LongAdder executions = new LongAdder();
    private final LongAdder executionsWithKey = new LongAdder();
    private final LongAdder duplicateExecutions = new LongAdder();
    private final LongAdder duplicatedKeys = new LongAdder();
    private final LongAdder evictedKeys = new LongAdder();
    private final LongAdder errorsInjected = new LongAdder();
    private final LongAdder resetsInjected = new LongAdder();
    private final LongAdder staleFences = new LongAdder();
    /** The highest fence seen per key (requests carrying one); forgotten with the key. */
    private final ConcurrentHashMap<String, Long> maxFence = new ConcurrentHashMap<>();

    public Ledger(int maxKeys) {
        if (maxKeys < 1) {
            throw new IllegalArgumentException("maxKeys must be >= 1, got " + maxKeys);
        }
        this.maxKeys = maxKeys;
    }

    public void countRequest() {
        requests.increment();
    }

    public void countInjectedError() {
        errorsInjected.increment();
    }

    public void countInjectedReset() {
        resetsInjected.increment();
    }

    public void countStaleFence() {
        staleFences.increment();
    }

    /**
     * Notes a request's fence for its key, atomically.
     *
     * @return whether it is above every fence seen for the key before (false: stale, or the same fence again)
     */
    public boolean observeFence(String key, long fence) {
        boolean[] fresh = {false};
        maxFence.compute(key, (k, max) -> {
            fresh[0] = max == null || fence > max;
            return fresh[0] ? Long.valueOf(fence) : max;
        });
        return fresh[0];
    }

    /**
     * Records one execution of a creating request.
     *
     * @param key  the idempotency key, or {@code null} when the request carried none
     * @param body the body this execution answers; kept only for the key's first execution
     * @return how many times this key has executed, this one included (1 without a key)
     */
    public long recordExecution(String key, String body) {
        executions.increment();
        if (key == null) {
            return 1;
        }
        executionsWithKey.increment();
        boolean[] inserted = {false};
        Entry entry = byKey.computeIfAbsent(key, k -> {
            inserted[0] = true;
            return new Entry(body);
        });
        long n = entry.executions.incrementAndGet();
        if (n == 2) {
            duplicatedKeys.increment();
        }
        if (n > 1) {
            duplicateExecutions.increment();
        }
        if (inserted[0]) {
            insertionOrder.add(key);
            evictOverflow();
        }
        return n;
    }

    private void evictOverflow() {
        while (byKey.size() > maxKeys) {
            String oldest = insertionOrder.poll();
            if (oldest == null) {
                return;
            }
            maxFence.remove(oldest);
            if (byKey.remove(oldest) != null) {
                evictedKeys.increment();
            }
        }
    }

    public Optional<KeyRecord> lookup(String key) {
        Entry e = byKey.get(key);
        return e == null ? Optional.empty()
                : Optional.of(new KeyRecord(key, e.executions.get(), new String(e.firstBody, StandardCharsets.UTF_8)));
    }

    public long executions() {
        return executions.sum();
    }

    public long duplicatedKeys() {
        return duplicatedKeys.sum();
    }

    public void reset() {
        byKey.clear();
        insertionOrder.clear();
        maxFence.clear();
        for (LongAdder a : new LongAdder[] {requests, executions, executionsWithKey, duplicateExecutions,
                duplicatedKeys, evictedKeys, errorsInjected, resetsInjected, staleFences}) {
            a.reset();
        }
    }

    /** The {@code GET /stats} document; counters run since start or the last reset. */
    public String statsJson() {
        return "{\"requests\":" + requests.sum()
                + ",\"executions\":" + executions.sum()
                + ",\"executions_by_key_total\":" + executionsWithKey.sum()
                + ",\"executions_without_key\":" + (executions.sum() - executionsWithKey.sum())
                + ",\"keys\":" + byKey.size()
                + ",\"duplicated_keys\":" + duplicatedKeys.sum()
                + ",\"duplicate_executions\":" + duplicateExecutions.sum()
                + ",\"evicted_keys\":" + evictedKeys.sum()
                + ",\"max_keys\":" + maxKeys
                + ",\"errors_injected\":" + errorsInjected.sum()
                + ",\"resets_injected\":" + resetsInjected.sum()
                + ",\"stale_fences_refused\":" + staleFences.sum()
                + "}";
    }
}
