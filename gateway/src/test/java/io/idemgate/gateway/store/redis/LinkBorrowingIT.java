package io.idemgate.gateway.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.idemgate.gateway.transport.Transport;
import io.idemgate.gateway.store.ClaimResult;
import io.idemgate.gateway.testsupport.RedisServer;
import io.idemgate.gateway.testsupport.TcpRelay;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A loop whose own Redis link is down sends its commands on a connected loop's link, so the store answers
 * on every loop while Redis answers; readiness says so; with no link at all the store is down for every
 * loop. Each link goes through a TCP relay that can cut it: accepted in order, the first loop's command
 * connection, then its subscription, then the second loop's command connection.
 */
class LinkBorrowingIT {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Transport TRANSPORT = Transport.detect();
    private static final int SECOND_LOOPS_LINK = 2;
    private RedisServer redis;
    private TcpRelay relay;
    private EventLoopGroup group;
    private RedisIdempotencyStore store;
    private EventExecutor second;

    @BeforeEach
    void start() {
        redis = RedisServer.start();
        relay = TcpRelay.start(redis.port());
        group = TRANSPORT.newEventLoopGroup(2, "borrow-test");
        List<EventExecutor> loops = new ArrayList<>();
        group.forEach(loops::add);
        second = loops.get(1);
        store = RedisIdempotencyStore.standalone(relay.redisUri(), "idemgate-borrow:", Duration.ofMillis(500), group,
                TRANSPORT.socketChannelType());
        assertThat(relay.accepted()).isEqualTo(3);
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (store != null) {
            store.close();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        relay.close();
        redis.stop();
    }

    @Test
    void aLoopWhoseLinkIsDownBorrowsAConnectedOneUntilItsOwnIsBack() throws Exception {
        relay.refuseNew(true);
        relay.cut(SECOND_LOOPS_LINK);
        Awaitility.await().atMost(WAIT).until(() -> store.links("borrowing") == 1);
        assertThat(store.links("up")).isEqualTo(1);
        assertThat(store.ready().toCompletableFuture().get(5, TimeUnit.SECONDS)).isTrue();

        String id = "borrow-" + UUID.randomUUID();
        assertThat(onSecondLoop(() -> store.claim(id, "fp", "owner", Duration.ofSeconds(30), false,
                Duration.ofMinutes(1)))).isInstanceOf(ClaimResult.Claimed.class);
        assertThat(onSecondLoop(() -> store.get(id))).isPresent();
        assertThat(store.borrowedCommands()).isGreaterThanOrEqualTo(2);

        relay.refuseNew(false);
        Awaitility.await().atMost(WAIT).until(() -> store.links("up") == 2);
        long borrowed = store.borrowedCommands();
        assertThat(onSecondLoop(() -> store.get(id))).isPresent();
        assertThat(store.borrowedCommands()).isEqualTo(borrowed);
    }

    @Test
    void withEveryLinkDownTheStoreIsDownOnEveryLoopAndNotReadyThenBackOnEveryLoop() throws Exception {
        relay.refuseNew(true);
        relay.cutAll();
        Awaitility.await().atMost(WAIT).until(() -> store.links("down") == 2);
        assertThat(store.ready().toCompletableFuture().get(5, TimeUnit.SECONDS)).isFalse();
        CompletableFuture<Object> failed = new CompletableFuture<>();
        second.execute(() -> store.get("any").whenComplete((r, e) -> failed.complete(e)));
        assertThat(failed.get(5, TimeUnit.SECONDS)).isNotNull();

        relay.refuseNew(false);
        Awaitility.await().atMost(WAIT).until(() -> store.ready().toCompletableFuture().get(5, TimeUnit.SECONDS));
        assertThat(onSecondLoop(() -> store.get("any"))).isEmpty();
        assertThat(store.get("any").toCompletableFuture().get(5, TimeUnit.SECONDS)).isEmpty();
    }

    private <T> T onSecondLoop(Supplier<CompletionStage<T>> call) throws Exception {
        CompletableFuture<T> answer = new CompletableFuture<>();
        second.execute(() -> call.get().whenComplete((value, failure) -> {
            if (failure != null) {
                answer.completeExceptionally(failure);
            } else {
                answer.complete(value);
            }
        }));
        return answer.get(5, TimeUnit.SECONDS);
    }
}
