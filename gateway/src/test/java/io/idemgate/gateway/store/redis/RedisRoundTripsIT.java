package io.idemgate.gateway.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.idemgate.gateway.testsupport.Behaviour;
import io.idemgate.gateway.testsupport.GatewayFixture;
import io.idemgate.gateway.testsupport.RedisMonitor;
import io.idemgate.gateway.testsupport.RedisServer;
import io.idemgate.gateway.testsupport.TestUpstream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Redis round trips per request, counted by Redis itself through a real gateway and upstream: a first
 * request is one {@code SET … NX GET} (the claim, no script: the key held nothing) and the complete script; a
 * replay is the same one {@code SET … NX GET}, which finds the record and writes nothing (docs/store-format.md,
 * "Claims without a script"). Before this, a first request was a GET, the claim script and the complete script.
 *
 * <p>Two counters, because each alone is blind somewhere: {@code INFO commandstats} counts EVALSHA/EVAL
 * exactly but also counts the commands a script runs inside (HSET, PUBLISH…), so its total is not the
 * number of round trips; {@code MONITOR} tells a client's commands from a script's ({@code lua}), so it
 * proves nothing else was sent. The test's own probes (INFO, ECHO on fresh connections) are left out.
 */
class RedisRoundTripsIT {

    private RedisServer redis;
    private TestUpstream upstream;
    private GatewayFixture gateway;

    @BeforeEach
    void start() throws Exception {
        redis = RedisServer.start();
        upstream = TestUpstream.start();
        upstream.handle(Behaviour.created());
        // A long lease: no renewal can fire during a request (renewals would be round trips of their own).
        gateway = GatewayFixture.start("""
                idemgate.store { type = redis, redis { uri = "%s", command-timeout = 3s } }
                idemgate.routes = [ { name = payments, match.path = "/v1/**", upstream.urls = ["%s"],
                                      idempotency { lease = 10m } } ]
                """.formatted(redis.uri(), upstream.url()));
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {gateway, upstream, redis}) {
            if (c != null) {
                c.close();
            }
        }
    }

    @Test
    void aFirstRequestIsOneSetAndACompleteAndAReplayIsOneSet() throws Exception {
        // Warm: Redis learns the scripts (the first EVALSHA of each meets NOSCRIPT and is sent by EVAL).
        assertThat(post("warm").statusCode()).isEqualTo(201);
        assertThat(post("warm").headers().firstValue("Idempotent-Replayed")).contains("true");

        try (RedisMonitor monitor = RedisMonitor.start(redis)) {
            Map<String, Long> before = commandStats();
            monitor.commandsSoFar();

            assertThat(post("first").statusCode()).isEqualTo(201);
            // The record may be completed just after the answer left: wait (bounded) for its complete call.
            Awaitility.await().atMost(Duration.ofSeconds(5))
                    .until(() -> delta(before, commandStats(), "evalsha") >= 1);
            Map<String, Long> afterFirst = commandStats();
            List<RedisMonitor.Command> first = monitor.commandsSoFar();
            assertThat(delta(before, afterFirst, "evalsha")).as("complete only: %s", first).isEqualTo(1);
            assertThat(delta(before, afterFirst, "eval")).as("no script resent").isZero();
            assertThat(clientCommands(first)).as("first request").containsExactly("SET", "EVALSHA");

            HttpResponse<String> replay = post("first");
            assertThat(replay.headers().firstValue("Idempotent-Replayed")).contains("true");
            Map<String, Long> afterReplay = commandStats();
            assertThat(delta(afterFirst, afterReplay, "evalsha")).as("no script for a replay").isZero();
            assertThat(delta(afterFirst, afterReplay, "eval")).isZero();
            List<RedisMonitor.Command> replayed = monitor.commandsSoFar();
            assertThat(clientCommands(replayed)).as("replay").containsExactly("SET");
            assertThat(delta(afterFirst, afterReplay, "set")).isEqualTo(1);
            assertThat(inScripts(replayed, "SET")).isZero();
        }
    }

    /**
     * Commands sent by clients (the gateway), without those run inside scripts, the test's INFO probes and the
     * store's clock samples (a TIME every 500 ms, whatever the traffic: RedisClock).
     */
    private static List<String> clientCommands(List<RedisMonitor.Command> commands) {
        return commands.stream().filter(c -> !c.fromScript()).map(RedisMonitor.Command::name)
                .filter(name -> !name.equals("INFO") && !name.equals("TIME")).toList();
    }

    private static long inScripts(List<RedisMonitor.Command> commands, String name) {
        return commands.stream().filter(c -> c.fromScript() && c.name().equals(name)).count();
    }

    private HttpResponse<String> post(String key) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(gateway.uri("/v1/pay")).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").header("Idempotency-Key", key)
                .POST(HttpRequest.BodyPublishers.ofString("{\"amount\":1}")).build();
        return gateway.client().send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** {@code cmdstat_<name>:calls=N,…} per command name. */
    private Map<String, Long> commandStats() {
        Map<String, Long> calls = new HashMap<>();
        for (String line : redis.commandFull("INFO commandstats").lines().toList()) {
            if (line.startsWith("cmdstat_")) {
                String name = line.substring("cmdstat_".length(), line.indexOf(':'));
                String count = line.substring(line.indexOf("calls=") + "calls=".length(), line.indexOf(','));
                calls.put(name, Long.parseLong(count));
            }
        }
        return calls;
    }

    private static long delta(Map<String, Long> before, Map<String, Long> after, String command) {
        return after.getOrDefault(command, 0L) - before.getOrDefault(command, 0L);
    }
}
