package io.idemgate.gateway.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Redis Cluster of three masters (no replicas) on free ports of 127.0.0.1, each a
 * {@link RedisServer} in its own temporary directory, joined by {@code redis-cli --cluster create}.
 * Every wait is bounded; {@link #stop()} always stops every process it started.
 */
public final class RedisCluster implements AutoCloseable {

    private static final String CLI = System.getProperty("idemgate.test.redis-cli", "redis-cli");
    private static final long READY_WITHIN_MILLIS = 20_000;

    private final List<RedisServer> nodes;

    private RedisCluster(List<RedisServer> nodes) {
        this.nodes = nodes;
    }

    public static RedisCluster start() {
        List<RedisServer> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                nodes.add(RedisServer.startClusterNode());
            }
            RedisCluster cluster = new RedisCluster(List.copyOf(nodes));
            cluster.create();
            cluster.awaitStateOk();
            return cluster;
        } catch (RuntimeException e) {
            nodes.forEach(RedisServer::stop);
            throw e;
        }
    }

    public List<RedisServer> nodes() {
        return nodes;
    }

    /** Every node's URI: each one is a seed. */
    public List<String> seedUris() {
        return nodes.stream().map(RedisServer::uri).toList();
    }

    /** The master that holds {@code key}'s slot: the others answer a keyed command with {@code -MOVED}. */
    public RedisServer nodeOwning(String key) {
        for (RedisServer node : nodes) {
            if (!node.command("EXISTS " + key).startsWith("-MOVED")) {
                return node;
            }
        }
        throw new IllegalStateException("no node owns the slot of " + key);
    }

    public void stop() {
        nodes.forEach(RedisServer::stop);
    }

    @Override
    public void close() {
        stop();
    }

    private void create() {
        List<String> command = new ArrayList<>(List.of(CLI, "--cluster", "create"));
        nodes.forEach(node -> command.add("127.0.0.1:" + node.port()));
        command.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
        Process process = null;
        try {
            Path log = Files.createTempFile("idemgate-cluster-create", ".log");
            process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!process.waitFor(READY_WITHIN_MILLIS, TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("redis-cli --cluster create did not finish in time");
            }
            String output = Files.readString(log);
            Files.deleteIfExists(log);
            if (process.exitValue() != 0) {
                throw new IllegalStateException("redis-cli --cluster create failed: " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + CLI, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            if (process != null && process.isAlive()) {
                process.destroyForcibly();
            }
        }
    }

    /** The nodes where some client subscribes to {@code channel} (PUBSUB is per node on a Cluster). */
    public List<RedisServer> nodesSubscribedTo(String channel) {
        return nodes.stream().filter(node -> {
            try {
                return "*1".equals(node.command("PUBSUB CHANNELS " + channel));
            } catch (UncheckedIOException down) {
                return false;
            }
        }).toList();
    }

    /** Pub/sub clients connected to the nodes that are up (CLIENT LIST TYPE pubsub, summed). */
    public int pubSubClients() {
        int count = 0;
        for (RedisServer node : nodes) {
            try {
                count += (int) node.commandFull("CLIENT LIST TYPE pubsub").lines().filter(line -> !line.isBlank()).count();
            } catch (UncheckedIOException down) {
                // not counted
            }
        }
        return count;
    }

    /** Waits (bounded) until every node says {@code cluster_state:ok}. */
    public void awaitStateOk() {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READY_WITHIN_MILLIS);
        while (System.nanoTime() < deadline) {
            try {
                if (nodes.stream().allMatch(node -> node.commandFull("CLUSTER INFO").contains("cluster_state:ok"))) {
                    return;
                }
            } catch (UncheckedIOException notYet) {
                // a node is not listening (yet)
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("cluster_state not ok on every node within " + READY_WITHIN_MILLIS + " ms");
    }
}
