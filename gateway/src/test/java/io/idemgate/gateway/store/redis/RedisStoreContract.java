package io.idemgate.gateway.store.redis;

import io.idemgate.gateway.store.IdempotencyStoreContract;
import java.time.Duration;

/**
 * The store contract against a real Redis, which keeps time itself: leases and TTLs are short, and
 * time passes by waiting, since no clock of ours can move Redis's.
 */
abstract class RedisStoreContract extends IdempotencyStoreContract {

    @Override
    protected void letTimePass(Duration duration) {
        try {
            Thread.sleep(duration.toMillis() + 50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    protected Duration lease() {
        return Duration.ofSeconds(1);
    }

    @Override
    protected Duration ttl() {
        return Duration.ofMillis(1500);
    }

    @Override
    protected Duration wakeWithin() {
        return Duration.ofSeconds(3);
    }
}
