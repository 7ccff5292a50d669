package io.idemgate.gateway.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.idemgate.gateway.testsupport.Behaviour;
import io.idemgate.gateway.testsupport.GatewayFixture;
import io.idemgate.gateway.testsupport.RawHttpClient;
import io.idemgate.gateway.testsupport.RawHttpClient.RawResponse;
import io.idemgate.gateway.testsupport.RedisCluster;
import io.idemgate.gateway.testsupport.RedisServer;
import io.idemgate.gateway.testsupport.TestUpstream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue #17: after a Redis outage every event loop recovers together. Many keep-alive connections (so every
 * loop serves some) post first requests and retries of each other's keys to a fail-closed route while Redis
 * goes away and comes back; from the moment {@code /readyz} says ready, no request sent on any connection may
 * be answered {@code 503 store-unavailable} (nor anything but 201). Standalone Redis killed and restarted with
 * 2 and 4 loops, a Sentinel failover, and a Cluster master killed and restarted.
 */
class StoreRecoveryAcrossLoopsIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int CONNECTIONS_PER_LOOP = 4;
    private static final int ANSWERS_AFTER_READY = 15;
    /** Long enough for every link to reach its longest reconnect wait, when links come back furthest apart. */
    private static final Duration OUTAGE = Duration.ofMillis(1_500);

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    @ParameterizedTest(name = "{0} event loops")
    @ValueSource(ints = {2, 4})
    void standaloneRedisKilledAndRestarted(int loops) throws Exception {
        RedisServer redis = closing(RedisServer.start());
        GatewayFixture gateway = gateway(loops, "uri = \"" + redis.uri() + "\"");

        recover(gateway, loops, redis::kill, redis::restart);
    }

    @Test
    void sentinelFailover() throws Exception {
        RedisServer master = closing(RedisServer.start());
        RedisServer replica = closing(RedisServer.start());
        assertThat(replica.command("REPLICAOF 127.0.0.1 " + master.port())).isEqualTo("+OK");
        Awaitility.await().atMost(WAIT)
                .until(() -> replica.commandFull("INFO replication").contains("master_link_status:up"));
        RedisServer sentinel = closing(RedisServer.startSentinel(master, "recovery"));
        Awaitility.await().atMost(WAIT).until(() -> sentinel.command("SENTINEL REPLICAS recovery").equals("*1"));
        GatewayFixture gateway = gateway(2, "uri = \"redis-sentinel://127.0.0.1:" + sentinel.port()
                + "/#recovery\", mode = sentinel");

        recover(gateway, 2, master::kill, () -> Awaitility.await().atMost(WAIT).ignoreExceptions()
                .until(() -> replica.commandFull("INFO replication").contains("role:master")));
    }

    @Test
    void clusterMasterKilledAndRestarted() throws Exception {
        RedisCluster cluster = RedisCluster.start();
        toClose.add(cluster);
        String seeds = cluster.seedUris().stream().map(u -> "\"" + u + "\"").collect(Collectors.joining(", "));
        GatewayFixture gateway = gateway(2, "uri = [" + seeds + "], mode = cluster");
        RedisServer victim = cluster.nodes().get(1);

        recover(gateway, 2, victim::kill, () -> {
            victim.restart();
            cluster.awaitStateOk();
        });
    }

    private GatewayFixture gateway(int loops, String redis) throws Exception {
        TestUpstream upstream = closing(TestUpstream.start());
        upstream.handle(Behaviour.created());
        return closing(GatewayFixture.start("""
                idemgate.server.io-threads = %d
                idemgate.store { type = redis, redis { %s, command-timeout = 500ms } }
                idemgate.routes = [ { name = pay, match.path = "/pay/**", upstream.urls = ["%s"] } ]
                """.formatted(loops, redis, upstream.url())));
    }

    private void recover(GatewayFixture gateway, int loops, Runnable outage, Runnable restore) throws Exception {
        try (Load load = new Load(gateway.port(), loops * CONNECTIONS_PER_LOOP)) {
            Awaitility.await().atMost(WAIT).until(() -> load.created() >= 100);

            outage.run();
            Awaitility.await().atMost(WAIT).until(() -> !ready(gateway));
            Awaitility.await().atMost(WAIT).until(() -> load.unavailable() > 0);
            Thread.sleep(OUTAGE.toMillis()); // the outage itself, not a wait for a condition

            restore.run();
            Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(10)).until(() -> ready(gateway));
            long readyAt = System.nanoTime();

            Awaitility.await().atMost(WAIT).until(() -> load.fewestAnswersSentAfter(readyAt) >= ANSWERS_AFTER_READY);
            load.stop();
            assertThat(load.answersSentAfter(readyAt)).as("answers to requests sent once /readyz said ready")
                    .isNotEmpty().allSatisfy(answer -> assertThat(answer.status()).as(answer.toString()).isEqualTo(201));
            assertThat(load.retriesReplayed()).isPositive();
        }
    }

    private static boolean ready(GatewayFixture gateway) throws Exception {
        return gateway.get(gateway.adminUri("/readyz")).statusCode() == 200;
    }

    private <T extends AutoCloseable> T closing(T resource) {
        toClose.add(resource);
        return resource;
    }

    /** One answer: when its request was sent, on which connection, its status (-1: the connection broke). */
    record Answer(long sentAt, int connection, int status, boolean retry, String body) {
    }

    /**
     * One thread per keep-alive connection, each posting a new key or, when there is one, the key another
     * connection got a 201 for (so a retry lands on another connection, as in the issue).
     */
    private static final class Load implements AutoCloseable {

        private final int port;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final ExecutorService threads;
        private final Queue<String> toRetry = new ConcurrentLinkedQueue<>();
        private final List<Queue<Answer>> answers = new ArrayList<>();

        Load(int port, int connections) {
            this.port = port;
            this.threads = Executors.newFixedThreadPool(connections);
            for (int i = 0; i < connections; i++) {
                Queue<Answer> mine = new ConcurrentLinkedQueue<>();
                answers.add(mine);
                int connection = i;
                threads.execute(() -> run(connection, mine));
            }
        }

        private void run(int connection, Queue<Answer> mine) {
            RawHttpClient client = null;
            while (running.get()) {
                String retryKey = toRetry.poll();
                String key = retryKey != null ? retryKey : UUID.randomUUID().toString();
                long sentAt = System.nanoTime();
                try {
                    if (client == null) {
                        client = RawHttpClient.connect(port);
                    }
                    client.send("POST /pay/orders HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\n"
                            + "Idempotency-Key: " + key + "\r\nContent-Length: 2\r\n\r\n{}");
                    RawResponse response = client.readResponse(Duration.ofSeconds(10));
                    String body = response.bodyAsString();
                    mine.add(new Answer(sentAt, connection, response.status(), retryKey != null,
                            retryKey != null ? String.valueOf(response.header("idempotent-replayed")) : body));
                    if (response.status() == 201 && retryKey == null) {
                        toRetry.offer(key);
                    }
                } catch (IOException e) {
                    mine.add(new Answer(sentAt, connection, -1, retryKey != null, e.toString()));
                    closeQuietly(client);
                    client = null;
                }
            }
            closeQuietly(client);
        }

        long created() {
            return all().stream().filter(a -> a.status() == 201).count();
        }

        long unavailable() {
            return all().stream().filter(a -> a.status() == 503).count();
        }

        long retriesReplayed() {
            return all().stream().filter(a -> a.retry() && a.status() == 201 && "true".equals(a.body())).count();
        }

        long fewestAnswersSentAfter(long t) {
            return answers.stream().mapToLong(q -> q.stream().filter(a -> a.sentAt() - t > 0).count()).min().orElse(0);
        }

        List<Answer> answersSentAfter(long t) {
            return all().stream().filter(a -> a.sentAt() - t > 0).toList();
        }

        private List<Answer> all() {
            return answers.stream().flatMap(Queue::stream).toList();
        }

        void stop() throws InterruptedException {
            running.set(false);
            threads.shutdown();
            if (!threads.awaitTermination(20, TimeUnit.SECONDS)) {
                threads.shutdownNow();
            }
        }

        private static void closeQuietly(RawHttpClient client) {
            if (client != null) {
                try {
                    client.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
        }

        @Override
        public void close() throws InterruptedException {
            stop();
        }
    }
}
