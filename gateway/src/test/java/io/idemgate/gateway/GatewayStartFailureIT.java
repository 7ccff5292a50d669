package io.idemgate.gateway;

import static io.idemgate.gateway.testsupport.FreePorts.freePort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.idemgate.gateway.config.ConfigLoader;
import io.idemgate.gateway.config.GatewayConfig;
import io.idemgate.gateway.store.StoreStartException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gateway started in-process (tests, an embedding application) whose start fails must not leave its
 * threads behind: the event loops, the reload thread, the store's. Netty leaks fail the class as everywhere
 * (NettyLeakDetection).
 */
class GatewayStartFailureIT {

    @TempDir
    Path dir;

    @Test
    void aStoreThatCannotBeReachedLeavesNoGatewayThreadRunning() throws Exception {
        int nothingListening = freePort();
        Path file = dir.resolve("gateway.conf");
        Files.writeString(file, """
                idemgate {
                  server { host = "127.0.0.1", port = 0, io-threads = 2 }
                  admin { host = "127.0.0.1", port = 0 }
                  reload.watch-file = false
                  store { type = redis, redis.uri = "redis://127.0.0.1:%d", redis.command-timeout = 1s }
                  routes = [ { name = a, match { path = "/**" }, upstream { urls = ["http://127.0.0.1:9"] } } ]
                }
                """.formatted(nothingListening));
        GatewayConfig config = ConfigLoader.load(file);
        Set<Thread> before = Thread.getAllStackTraces().keySet();

        assertThatThrownBy(() -> Gateway.start(config, file))
                .isInstanceOf(StoreStartException.class)
                .hasMessageContaining("127.0.0.1:" + nothingListening);

        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> assertThat(startedSince(before)).isEmpty());
    }

    /** Live gateway threads that did not exist before: other classes' gateways are not this test's business. */
    private static List<String> startedSince(Set<Thread> before) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && !before.contains(t) && t.getName().startsWith("idemgate-"))
                .map(Thread::getName)
                .sorted()
                .toList();
    }
}
