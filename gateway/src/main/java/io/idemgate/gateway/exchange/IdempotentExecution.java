package io.idemgate.gateway.exchange;

import io.idemgate.gateway.config.IdempotencyConfig;
import io.idemgate.gateway.http.ResponseRecorder;
import io.idemgate.gateway.idempotency.Decision;
import io.idemgate.gateway.idempotency.DecisionRules;
import io.idemgate.gateway.idempotency.Decisions;
import io.idemgate.gateway.idempotency.StoredHeaders;
import io.idemgate.gateway.metrics.RouteMetrics;
import io.idemgate.gateway.store.IdempotencyStore;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The record side of one executing request: keeps its lease alive while the upstream works, records the
 * response as it streams, and settles the record exactly once: completed (as {@link Decisions#onResponse}
 * says for its status), released (anything else, or the request never left), or outcome
 * unknown (the request may have run but no whole answer came back). Runs on the exchange's event loop.
 */
final class IdempotentExecution implements ResponseTap {

    private static final Logger log = LoggerFactory.getLogger("idemgate.decision");

    private final IdempotencyStore store;
    private final IdempotencyConfig policy;
    private final DecisionRules rules;
    private final RouteMetrics metrics;
    private final EventExecutor loop;
    private final String routeName;
    private final String id;
    private final String keyHash;
    private final String owner;
    private final long fence;
    private final ResponseRecorder recorder;
    private ScheduledFuture<?> renewal;
    private int status;
    private boolean settled;

    IdempotentExecution(IdempotencyStore store, IdempotencyConfig policy, DecisionRules rules, RouteMetrics metrics,
                        EventExecutor loop, String routeName, String id, String keyHash, String owner, long fence,
                        StoredHeaders storedHeaders) {
        this.store = store;
        this.policy = policy;
        this.rules = rules;
        this.metrics = metrics;
        this.loop = loop;
        this.routeName = routeName;
        this.id = id;
        this.keyHash = keyHash;
        this.owner = owner;
        this.fence = fence;
        this.recorder = new ResponseRecorder(policy.maxResponseBody(), storedHeaders::keeps);
    }

    /** Renews the lease at a third of its length, so two lost renewals still leave time for a third. */
    void startLeaseRenewal() {
        long every = Math.max(1, policy.lease().toMillis() / 3);
        renewal = loop.scheduleAtFixedRate(this::renew, every, every, TimeUnit.MILLISECONDS);
    }

    @Override
    public void onResponseHead(int status, HttpHeaders endToEnd) {
        this.status = status;
        recorder.head(status, endToEnd);
    }

    @Override
    public void onResponseContent(ByteBuf content) {
        recorder.content(content);
    }

    @Override
    public CompletionStage<Boolean> onResponseComplete() {
        if (Decisions.onResponse(status, rules) == Decision.Settlement.STORE) {
            settle("completed");
            return store.complete(id, owner, fence, recorder.toStoredResponse(), policy.ttl())
                    .handle((ok, err) -> {
                        ownedWrite("complete", ok, err);
                        return err == null && Boolean.TRUE.equals(ok);
                    });
        }
        // A released answer is not replayed, so nothing rides on its store write: the client gets it at once.
        release("status " + status);
        return CompletableFuture.completedFuture(true);
    }

    @Override
    public void onNoResponse(boolean mayHaveExecuted, String reason) {
        if (mayHaveExecuted) {
            markUnknown(reason);
        } else {
            release(reason);
        }
    }

    @Override
    public void onResponseTruncated(String reason) {
        markUnknown(reason);
    }

    @Override
    public String keyHash() {
        return keyHash;
    }

    @Override
    public long fence() {
        return fence;
    }

    @Override
    public void onExchangeEnd() {
        if (!settled) {
            markUnknown("exchange ended without an answer");
        }
    }

    private void release(String why) {
        if (settle("released: " + why)) {
            store.release(id, owner, fence).whenComplete((ok, err) -> ownedWrite("release", ok, err));
        }
    }

    private void markUnknown(String why) {
        if (settle("outcome unknown: " + why)) {
            store.markOutcomeUnknown(id, owner, fence, why, policy.ttl())
                    .whenComplete((ok, err) -> ownedWrite("mark_unknown", ok, err));
        }
    }

    /** @return false if the record was settled already; every path settles once. */
    private boolean settle(String how) {
        if (settled) {
            return false;
        }
        settled = true;
        if (renewal != null) {
            renewal.cancel(false);
        }
        // Routine completions are in the access line already; what needs a look is logged at INFO.
        (how.equals("completed") ? log.atDebug() : log.atInfo())
                .addKeyValue("route", routeName).addKeyValue("key_hash", keyHash)
                .addKeyValue("fence", fence).addKeyValue("status", status).addKeyValue("record", how)
                .log("record settled");
        return true;
    }

    private void renew() {
        store.renew(id, owner, fence, policy.lease()).whenComplete((ok, err) -> {
            if (err == null && !ok) {
                loop.execute(() -> {
                    if (renewal != null) {
                        renewal.cancel(false);
                    }
                });
                lost("renew");
            }
        });
    }

    /** A write the store refused: another attempt took the key over while we worked (fencing). */
    private void ownedWrite(String operation, Boolean ok, Throwable err) {
        if (err != null) {
            log.atWarn().addKeyValue("route", routeName).addKeyValue("key_hash", keyHash)
                    .addKeyValue("operation", operation).log("store write failed: {}", err.toString());
        } else if (!ok) {
            lost(operation);
        }
    }

    private void lost(String operation) {
        metrics.leaseLost();
        log.atWarn().addKeyValue("route", routeName).addKeyValue("key_hash", keyHash).addKeyValue("fence", fence)
                .addKeyValue("operation", operation).log("lease lost: another attempt owns the key");
    }
}
