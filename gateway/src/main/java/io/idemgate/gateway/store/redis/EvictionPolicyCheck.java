package io.idemgate.gateway.store.redis;

import io.idemgate.gateway.store.StoreHealth;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether Redis may evict idempotency records to make room (SPEC §2). Every record has a TTL, so any
 * {@code maxmemory-policy} but {@code noeviction} — the {@code volatile-*} ones included — may drop a live
 * completed record once {@code maxmemory} is reached, and its retry would execute again. With
 * {@code noeviction} a full Redis refuses writes instead: a store failure, handled per route.
 *
 * <p>Read from {@code INFO memory} (managed Redis often renames {@code CONFIG}); on a Cluster, from the node
 * the command reaches. Run at start and then periodically, which also covers reconnects and failovers to a
 * differently configured node. Reported to {@link StoreHealth} and logged once per change.
 *
 * <p>Threading: {@link #run} from one thread at a time (the store's re-check thread); answers on Lettuce's.
 */
final class EvictionPolicyCheck {

    private static final Logger log = LoggerFactory.getLogger(EvictionPolicyCheck.class);

    private final Supplier<RedisClusterAsyncCommands<byte[], byte[]>> redis;
    private final StoreHealth health;
    private volatile String lastReported = "";

    EvictionPolicyCheck(Supplier<RedisClusterAsyncCommands<byte[], byte[]>> redis, StoreHealth health) {
        this.redis = redis;
        this.health = health;
    }

    /** Asks Redis once; a failed ask changes nothing (the outage is someone else's to report). */
    CompletableFuture<Void> run() {
        try {
            return redis.get().info("memory").toCompletableFuture().thenAccept(this::judge)
                    .exceptionally(failure -> null);
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(null);
        }
    }

    void judge(String info) {
        String policy = field(info, "maxmemory_policy");
        String max = field(info, "maxmemory");
        if (policy == null) {
            return;
        }
        boolean limited = max != null && !"0".equals(max);
        String risk = limited && !"noeviction".equals(policy)
                ? "redis maxmemory-policy is " + policy + " with maxmemory " + max
                  + " bytes: Redis may evict live idempotency records (use noeviction)"
                : null;
        health.evictionRisk(risk);
        String now = risk == null ? "ok" : risk;
        if (!now.equals(lastReported)) {
            lastReported = now;
            if (risk != null) {
                log.warn("{}; a retry of an evicted record executes again", risk);
            } else {
                log.info("redis maxmemory-policy {} (maxmemory {}): records are never evicted", policy,
                        limited ? max : "unlimited");
            }
        }
    }

    private static String field(String info, String name) {
        for (String line : info.split("\r?\n")) {
            if (line.startsWith(name + ":")) {
                return line.substring(name.length() + 1).trim();
            }
        }
        return null;
    }
}
