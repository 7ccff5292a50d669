package io.idemgate.gateway.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.idemgate.gateway.config.StoreConfig;
import io.idemgate.gateway.idempotency.IdempotencyRecord.Completed;
import io.idemgate.gateway.idempotency.StoredResponse;
import io.idemgate.gateway.store.ClaimResult.Claimed;
import io.idemgate.gateway.store.IdempotencyStore;
import io.idemgate.gateway.store.StoreFactory;
import io.idemgate.gateway.testsupport.RedisServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code mode = sentinel}: the store finds the master through a Sentinel and works as in standalone. */
class RedisSentinelStoreIT {

    private static RedisServer master;
    private static RedisServer sentinel;

    @BeforeAll
    static void start() {
        master = RedisServer.start();
        sentinel = RedisServer.startSentinel(master, "idemgate-master");
    }

    @AfterAll
    static void stop() {
        if (sentinel != null) {
            sentinel.stop();
        }
        if (master != null) {
            master.stop();
        }
    }

    @Test
    void aStoreBuiltForSentinelClaimsCompletesAndWakesWaiters() {
        String uri = "redis-sentinel://127.0.0.1:" + sentinel.port() + "/#idemgate-master";
        StoreConfig config = new StoreConfig(StoreConfig.Type.REDIS, new StoreConfig.Memory(1),
                new StoreConfig.Redis(List.of(uri), StoreConfig.Redis.Mode.SENTINEL, "idemgate-sentinel-test:",
                        Duration.ofSeconds(1)));
        try (IdempotencyStore store = StoreFactory.create(config)) {
            Duration minute = Duration.ofMinutes(1);
            long fence = ((Claimed) await(store.claim("k1", "fp", "gw1/1", minute, false, minute))).fence();
            CompletableFuture<Void> waiter = store.awaitChange("k1");

            assertThat(await(store.complete("k1", "gw1/1", fence, new StoredResponse(200, List.of(), new byte[] {1}, false),
                    minute))).isTrue();

            assertThat(waiter).succeedsWithin(Duration.ofSeconds(3));
            assertThat(await(store.get("k1")).orElseThrow()).isInstanceOf(Completed.class);
            assertThat(master.command("EXISTS idemgate-sentinel-test:{k1}")).isEqualTo(":1");
        }
    }

    private static <T> T await(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("store operation failed or hung", e);
        }
    }
}
