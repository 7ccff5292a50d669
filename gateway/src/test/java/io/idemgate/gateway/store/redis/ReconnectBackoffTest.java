package io.idemgate.gateway.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ReconnectBackoffTest {

    private final ReconnectBackoff backoff = new ReconnectBackoff(Duration.ofMillis(10), Duration.ofSeconds(1));

    @Test
    void doublesWithinItsUpperHalfUpToTheMaximum() {
        for (int i = 0; i < 1_000; i++) {
            assertThat(backoff.createDelay(1)).isBetween(Duration.ofMillis(5), Duration.ofMillis(10));
            assertThat(backoff.createDelay(3)).isBetween(Duration.ofMillis(20), Duration.ofMillis(40));
            assertThat(backoff.createDelay(50)).isBetween(Duration.ofMillis(500), Duration.ofSeconds(1));
        }
    }

    @Test
    void linksThatLostRedisTogetherDoNotRetryTogether() {
        long distinct = java.util.stream.IntStream.range(0, 100).mapToObj(i -> backoff.createDelay(10)).distinct().count();
        assertThat(distinct).isGreaterThan(50);
    }
}
