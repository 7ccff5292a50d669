package io.idemgate.gateway.store.redis;

import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How long a link waits before its next reconnect attempt: doubling from {@code first} up to {@code max},
 * each wait drawn at random from its upper half. Every event loop has its own link, and a gateway has many
 * loops (and a fleet many gateways): without the jitter they would all knock on a restarted Redis in the
 * same millisecond, attempt after attempt. A loop whose link is still waiting borrows a healthy loop's
 * meanwhile ({@link LoopAffineLinks}), so the wait costs no request.
 *
 * <p>Threading: stateless, any thread.
 */
final class ReconnectBackoff extends Delay {

    private final long firstNanos;
    private final long maxNanos;

    ReconnectBackoff(Duration first, Duration max) {
        if (first.isNegative() || first.isZero() || max.compareTo(first) < 0) {
            throw new IllegalArgumentException("need 0 < first <= max, was " + first + ", " + max);
        }
        this.firstNanos = first.toNanos();
        this.maxNanos = max.toNanos();
    }

    @Override
    public Duration createDelay(long attempt) {
        long ceiling = firstNanos;
        for (long i = 1; i < attempt && ceiling < maxNanos; i++) {
            ceiling *= 2;
        }
        ceiling = Math.min(ceiling, maxNanos);
        long half = ceiling / 2;
        return Duration.ofNanos(half + ThreadLocalRandom.current().nextLong(ceiling - half + 1));
    }
}
