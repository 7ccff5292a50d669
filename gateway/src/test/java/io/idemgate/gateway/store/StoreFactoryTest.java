package io.idemgate.gateway.store;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.idemgate.gateway.config.StoreConfig;
import io.idemgate.gateway.config.StoreConfig.Redis.Mode;
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
}
