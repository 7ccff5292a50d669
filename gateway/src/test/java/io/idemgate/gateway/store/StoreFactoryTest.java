package io.idemgate.gateway.store;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.idemgate.gateway.config.StoreConfig;
import io.idemgate.gateway.config.StoreConfig.Redis.Mode;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class StoreFactoryTest {

    @Test
    void clusterIsRefusedWithAClearMessage() {
        for (Mode mode : List.of(Mode.CLUSTER)) {
            StoreConfig config = new StoreConfig(StoreConfig.Type.REDIS, new StoreConfig.Memory(1),
                    new StoreConfig.Redis(List.of("redis://127.0.0.1:1"), mode, "idemgate:", Duration.ofMillis(250)));

            assertThatThrownBy(() -> StoreFactory.create(config)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("mode = " + mode.name().toLowerCase()).hasMessageContaining("standalone");
        }
    }
}
