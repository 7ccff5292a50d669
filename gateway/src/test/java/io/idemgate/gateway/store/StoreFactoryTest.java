package io.idemgate.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.idemgate.gateway.config.StoreConfig;
import io.idemgate.gateway.config.StoreConfig.Redis.Mode;
import io.idemgate.gateway.metrics.GatewayMetrics;
import io.idemgate.gateway.store.memory.MemoryIdempotencyStore;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class StoreFactoryTest {

    @Test
    void clusterIsBuiltFromItsSeedsAndStartFailsWhenNoSeedAnswers() {
        // mode = cluster is supported now (RedisClusterStoreIT); here only that no reachable seed stops start-up.
        StoreConfig config = new StoreConfig(StoreConfig.Type.REDIS, new StoreConfig.Memory(1),
                new StoreConfig.Redis(List.of("redis://127.0.0.1:1", "redis://127.0.0.1:2"), Mode.CLUSTER, "idemgate:",
                        Duration.ofMillis(250)));

        assertThatThrownBy(() -> StoreFactory.create(config)).isInstanceOf(RuntimeException.class);
    }

    @Test
    void theGatewaysMemoryStoreIsCoalescedAndInstrumentedButNotBehindABreaker() {
        StoreConfig config = new StoreConfig(StoreConfig.Type.MEMORY, new StoreConfig.Memory(10),
                new StoreConfig.Redis(List.of(), Mode.STANDALONE, "idemgate:", Duration.ofMillis(250)));

        try (IdempotencyStore store = StoreFactory.create(config, null, null, new GatewayMetrics(new PrometheusRegistry()))) {
            assertThat(store).isInstanceOf(ClaimCoalescingStore.class);
            IdempotencyStore instrumented = ((ForwardingIdempotencyStore) store).delegate();
            assertThat(instrumented).isInstanceOf(InstrumentedIdempotencyStore.class);
            // in-process: no outage to guard against, and "full" must not open a circuit
            assertThat(((ForwardingIdempotencyStore) instrumented).delegate()).isInstanceOf(MemoryIdempotencyStore.class);
        }
    }
}
