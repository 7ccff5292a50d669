package io.idemgate.gateway.store.redis;

import io.idemgate.gateway.store.StoreHealth;
import io.lettuce.core.resource.ClientResources;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Confirms that completions reached {@code replicas} replicas ({@code WAIT}), so a failover that promotes one
 * of them keeps them (SPEC §2, {@code store.redis.min-replicas}).
 *
 * <p><b>Own connection.</b> {@code WAIT} blocks the connection it is sent on until the replicas answer or the
 * timeout passes; on the pipelined command connections it would stall every other exchange's commands. So
 * it runs on a connection of its own. {@code WAIT} counts replication of the writes made by <i>its</i>
 * connection, so before each one this connection makes a tiny write of its own (a marker key with a short
 * TTL): replication is one ordered stream, so a replica that acknowledged the marker also holds every
 * completion the master executed before it.
 *
 * <p><b>Group commit.</b> One marker + {@code WAIT} round at a time; the completions confirmed by the master
 * while a round is out are covered by the next round, all together. With the replicas gone, each round
 * takes {@code timeout} but confirms (or fails) every completion that queued meanwhile, so a dead replica
 * costs each completion at most two timeouts, never a queue of them.
 *
 * <p>Standalone and Sentinel only: on a Cluster each master replicates on its own, and one connection cannot
 * {@code WAIT} for all of them (refused by the configuration).
 *
 * <p>Threading: any thread; rounds are started under {@code this}, answered on Lettuce's threads.
 */
final class ReplicaAcks implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ReplicaAcks.class);

    private final ClientResources resources;
    private final RedisLink link;
    private final int replicas;
    private final long timeoutMillis;
    private final byte[] marker;
    private final StoreHealth health;
    private List<CompletableFuture<Ack>> queued = new ArrayList<>();
    private boolean roundOut;
    private long rounds;

    ReplicaAcks(RedisLink.Connector connector, String keyPrefix, int replicas, Duration timeout, StoreHealth health) {
        this.resources = RedisLink.resources();
        RedisLink opened;
        try {
            opened = connector.connect(resources, null, id -> { });
        } catch (RuntimeException e) {
            resources.shutdown();
            throw e;
        }
        this.link = opened;
        this.replicas = replicas;
        this.timeoutMillis = Math.max(1, timeout.toMillis());
        this.marker = (keyPrefix + "replica-ack").getBytes(StandardCharsets.UTF_8);
        this.health = health;
    }

    /**
     * A stored completion answers only once the replicas hold it (or the replica timeout passed): a failover
     * then cannot lose an answer the client already has. Unconfirmed within the timeout (the master answered
     * WAIT with too few replicas), it still answers true (the master holds it), counted and logged: the
     * operator's signal that a failover now could lose it. If the check itself failed (the master went away
     * during WAIT: the very failover this guards against), the completion fails like a store write, so the
     * client never gets an answer the new master may not hold (its connection is cut: outcome unknown).
     */
    CompletionStage<Boolean> durable(CompletionStage<Boolean> completed) {
        return completed.thenCompose(written -> !written ? CompletableFuture.completedFuture(false)
                : confirm().thenApply(ack -> {
                    if (ack != Ack.CONFIRMED) {
                        health.unconfirmedCompletion();
                    }
                    if (ack == Ack.FAILED) {
                        // No record id: it is derived from the client's key, which never goes to logs.
                        log.warn("a completion could not be confirmed by {} replica(s): the check failed (master "
                                + "lost?), so it is not answered as stored (idemgate_store_unconfirmed_completions_total)",
                                replicas);
                        throw new IllegalStateException("replica confirmation failed");
                    }
                    if (ack == Ack.UNCONFIRMED) {
                        log.warn("a completion was not confirmed by {} replica(s) within the replica timeout: a "
                                + "failover now could lose it (idemgate_store_unconfirmed_completions_total)",
                                replicas);
                    }
                    return true;
                }));
    }

    /** What a confirmation round found out about the writes before it. */
    enum Ack {
        /** At least {@code replicas} replicas hold them. */
        CONFIRMED,
        /** The master answered, but fewer replicas acknowledged within the timeout. */
        UNCONFIRMED,
        /** The check failed (connection lost, master gone, closed): nothing is known. */
        FAILED
    }

    /**
     * Completes once the replicas' acknowledgement of every write the master executed before this call is
     * known ({@link Ack}). Never completes exceptionally.
     */
    CompletableFuture<Ack> confirm() {
        CompletableFuture<Ack> confirmed = new CompletableFuture<>();
        boolean start;
        synchronized (this) {
            queued.add(confirmed);
            start = !roundOut;
            roundOut = true;
        }
        if (start) {
            round();
        }
        return confirmed;
    }

    private void round() {
        List<CompletableFuture<Ack>> batch;
        long n;
        synchronized (this) {
            batch = queued;
            queued = new ArrayList<>();
            n = ++rounds;
        }
        CompletableFuture<Long> acked;
        try {
            var redis = link.commands();
            acked = redis.psetex(marker, 60_000, Long.toString(n).getBytes(StandardCharsets.US_ASCII))
                    .thenCompose(ok -> redis.waitForReplication(replicas, timeoutMillis))
                    .toCompletableFuture();
        } catch (RuntimeException e) {
            acked = CompletableFuture.failedFuture(e);
        }
        acked.whenComplete((count, failure) -> {
            Ack ack = failure != null || count == null ? Ack.FAILED
                    : count >= replicas ? Ack.CONFIRMED : Ack.UNCONFIRMED;
            batch.forEach(waiting -> waiting.complete(ack));
            boolean next;
            synchronized (this) {
                next = !queued.isEmpty();
                roundOut = next;
            }
            if (next) {
                round();
            }
        });
    }

    @Override
    public void close() {
        try {
            link.close();
        } finally {
            resources.shutdown();
        }
        List<CompletableFuture<Ack>> left;
        synchronized (this) {
            left = queued;
            queued = new ArrayList<>();
        }
        left.forEach(waiting -> waiting.complete(Ack.FAILED));
    }
}
