package io.idemgate.gateway.exchange;

import io.idemgate.gateway.idempotency.RecordKey;
import io.idemgate.gateway.idempotency.Outcome;
import io.idemgate.gateway.metrics.OutcomeLabel;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One structured line per idempotency decision on the {@code idemgate.decision} logger: route, key
 * hash (never the key), outcome, fencing number. The routine ones (executed, replayed, waited, shadow)
 * are at DEBUG, since the access line carries outcome and key hash already; refusals and store
 * trouble are at INFO.
 */
final class DecisionLog {

    static final Logger LOG = LoggerFactory.getLogger("idemgate.decision");

    private static final long STORE_WARN_EVERY_NANOS = 1_000_000_000L;
    private static final AtomicLong lastStoreWarn = new AtomicLong(System.nanoTime() - STORE_WARN_EVERY_NANOS);
    private static final AtomicLong suppressedStoreWarns = new AtomicLong();

    private DecisionLog() {
    }

    /**
     * A store failure, at most one WARN line a second: during an outage every request fails the same
     * way (and fast, behind the circuit breaker), and the metrics count each one already.
     */
    static void storeFailed(String route, Throwable err) {
        long now = System.nanoTime();
        long last = lastStoreWarn.get();
        if (now - last < STORE_WARN_EVERY_NANOS || !lastStoreWarn.compareAndSet(last, now)) {
            suppressedStoreWarns.incrementAndGet();
            return;
        }
        LOG.atWarn().addKeyValue("route", route).addKeyValue("suppressed", suppressedStoreWarns.getAndSet(0))
                .log("idempotency store failed: {}", err.toString());
    }

    static void decided(String route, RecordKey key, Outcome outcome, long fence, String note) {
        boolean routine = outcome == Outcome.EXECUTED || outcome == Outcome.REPLAYED || outcome == Outcome.WAITED
                || outcome == Outcome.SHADOW_FIRST || outcome == Outcome.SHADOW_DUPLICATE;
        if (routine ? !LOG.isDebugEnabled() : !LOG.isInfoEnabled()) {
            return;
        }
        var event = (routine ? LOG.atDebug() : LOG.atInfo()).addKeyValue("route", route)
                .addKeyValue("key_hash", key != null ? key.keyHash() : "-")
                .addKeyValue("outcome", OutcomeLabel.of(outcome));
        if (fence > 0) {
            event = event.addKeyValue("fence", fence);
        }
        event.log(note == null ? "idempotency decision" : "idempotency decision: " + note);
    }
}
