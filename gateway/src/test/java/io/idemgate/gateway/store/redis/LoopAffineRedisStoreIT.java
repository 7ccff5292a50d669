package io.idemgate.gateway.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.idemgate.gateway.idempotency.IdempotencyRecord.Completed;
import io.idemgate.gateway.transport.Transport;
import io.idemgate.gateway.store.ClaimResult;
import io.idemgate.gateway.store.ClaimResult.Claimed;
import io.idemgate.gateway.store.IdempotencyStore;
import io.idemgate.gateway.testsupport.RedisServer;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The store built on the gateway's event loops: the whole contract (called from the test thread, so
 * through the first loop's connection), and what the loop affinity promises: a call made on a loop is
 * answered on that loop, one command connection per loop plus one subscription, and closing the store
 * leaves the gateway's loops running.
 */
class LoopAffineRedisStoreIT extends RedisStoreContract {

    private static final String PREFIX = "idemgate-affine:";
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(1);
    private static final int LOOPS = 2;
    private static final Transport TRANSPORT = Transport.detect();
    private static RedisServer redis;
    private static EventLoopGroup group;

    @BeforeAll
    static void start() {
        redis = RedisServer.start();
        group = TRANSPORT.newEventLoopGroup(LOOPS, "affine-test");
    }

    @AfterAll
    static void stop() throws InterruptedException {
        redis.stop();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    }

    @Override
    protected IdempotencyStore createStore() {
        return RedisIdempotencyStore.standalone(redis.uri(), PREFIX, COMMAND_TIMEOUT, group,
                TRANSPORT.socketChannelType());
    }

    @Test
    void aCallMadeOnAnEventLoopIsAnsweredOnThatLoop() throws Exception {
        List<EventExecutor> loops = new ArrayList<>();
        group.forEach(loops::add);
        for (EventExecutor loop : loops) {
            String recordId = "affine-" + UUID.randomUUID();
            CompletableFuture<Thread> answeredOn = new CompletableFuture<>();
            CompletableFuture<Thread> issuedOn = new CompletableFuture<>();
            loop.execute(() -> {
                issuedOn.complete(Thread.currentThread());
                store.claim(recordId, FINGERPRINT, OWNER, lease(), false, ttl())
                        .whenComplete((claimed, err) -> answeredOn.complete(Thread.currentThread()));
            });
            assertThat(answeredOn.get(5, TimeUnit.SECONDS)).isSameAs(issuedOn.get(5, TimeUnit.SECONDS));
            assertThat(await(store.get(recordId))).isPresent();
        }
    }

    @Test
    void eachLoopHasItsOwnCommandConnectionAndTheStoreOneSubscription() {
        // Only this test's store is open (the contract closes each test's store; Redis may notice a closed
        // connection a moment later): every connection but the one asking, the subscribed one with sub=1.
        Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            String clients = redis.commandFull("CLIENT LIST");
            assertThat(clients.lines().filter(l -> !l.contains("cmd=client|list")).count()).isEqualTo(LOOPS + 1);
            assertThat(clients.lines().filter(l -> l.contains(" sub=1 ")).count()).isEqualTo(1);
        });
    }

    @Test
    void closingTheStoreLeavesTheGatewayLoopsRunning() throws Exception {
        IdempotencyStore other = createStore();
        String recordId = "close-" + UUID.randomUUID();
        fence = fenceOf(await(other.claim(recordId, FINGERPRINT, OWNER, lease(), false, ttl())), false);
        other.close();
        assertThat(group.isShuttingDown()).isFalse();
        CompletableFuture<Boolean> ran = new CompletableFuture<>();
        group.next().execute(() -> ran.complete(true));
        assertThat(ran.get(5, TimeUnit.SECONDS)).isTrue();
        // and the store that remains still works from a loop
        CompletableFuture<ClaimResult> fromLoop = new CompletableFuture<>();
        group.next().execute(() -> store.claim(recordId, FINGERPRINT, OTHER_OWNER, lease(), false, ttl())
                .whenComplete((r, e) -> {
                    if (e != null) {
                        fromLoop.completeExceptionally(e);
                    } else {
                        fromLoop.complete(r);
                    }
                }));
        assertThat(fromLoop.get(5, TimeUnit.SECONDS)).isInstanceOf(ClaimResult.Existing.class);
    }

    @Test
    void aCompletedRecordIsReadBackWholeThroughEveryLoopsConnection() throws Exception {
        String recordId = "whole-" + UUID.randomUUID();
        fence = fenceOf(await(store.claim(recordId, FINGERPRINT, OWNER, lease(), false, ttl())), false);
        assertThat(await(store.complete(recordId, OWNER, fence, response("paid"), ttl()))).isTrue();
        for (EventExecutor loop : group) {
            CompletableFuture<Object> read = new CompletableFuture<>();
            loop.execute(() -> store.get(recordId).whenComplete((r, e) -> read.complete(e != null ? e : r.orElseThrow())));
            assertThat(read.get(5, TimeUnit.SECONDS)).isInstanceOf(Completed.class);
        }
    }
}
