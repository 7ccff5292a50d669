package io.idemgate.gateway.admin;

import io.idemgate.gateway.config.RouteConfig;
import io.idemgate.gateway.http.Problem;
import io.idemgate.gateway.idempotency.KeyHasher;
import io.idemgate.gateway.idempotency.IdempotencyRecord;
import io.idemgate.gateway.idempotency.IdempotencyRecord.Completed;
import io.idemgate.gateway.idempotency.StoredResponse;
import io.idemgate.gateway.store.IdempotencyStore;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET} and {@code DELETE /admin/records}: inspect or purge one idempotency record, e.g. to release a
 * key stuck in outcome-unknown after the operator checked the upstream. Both are token-protected when mounted.
 * Runs on the admin event loop and never blocks: the store's stage is returned, completed on any thread.
 */
public final class RecordsEndpoint {

    public static final String PATH = "/admin/records";

    /** Purges are operator actions on payment state: logged apart from access lines so they can be kept. */
    private static final Logger log = LoggerFactory.getLogger(RecordsEndpoint.class);
    private static final Logger audit = LoggerFactory.getLogger("idemgate.admin.audit");
    private static final List<String> GET_PARAMS = List.of("route", "key", "scope", "body");
    private static final List<String> DELETE_PARAMS = List.of("route", "key", "scope");
    private static final String NO_RECORD = "no record for this route, key and scope (the scope parameters must "
            + "carry the route's scope header values exactly as the client sent them, one per header in config order)";

    private final Supplier<List<RouteConfig>> routes;
    private final IdempotencyStore store;
    private final KeyHasher keyHasher;

    /** @param routes asked per request, so a reload's routes show at once */
    public RecordsEndpoint(Supplier<List<RouteConfig>> routes, IdempotencyStore store, KeyHasher keyHasher) {
        this.routes = routes;
        this.store = store;
        this.keyHasher = keyHasher;
    }

    public CompletionStage<FullHttpResponse> inspect(AdminRequest request) {
        RecordQuery query;
        try {
            query = RecordQuery.parse(request, routes.get(), GET_PARAMS, keyHasher);
        } catch (RecordQuery.Refused r) {
            return refused(request.alloc(), r);
        }
        return store.get(query.recordKey().storageId())
                .thenCompose(record -> query.withBody() ? withBodyLoaded(record) : CompletableFuture.completedFuture(record))
                .handle((record, error) -> {
            if (error != null) {
                return storeFailed(request.alloc(), error);
            }
            return record.isEmpty()
                    ? AdminResponses.problem(request.alloc(), Problem.ADMIN_RECORD_NOT_FOUND, NO_RECORD)
                    : AdminResponses.json(request.alloc(), HttpResponseStatus.OK,
                            g -> RecordJson.write(g, query, record.get()));
        });
    }

    public CompletionStage<FullHttpResponse> purge(AdminRequest request) {
        RecordQuery query;
        try {
            query = RecordQuery.parse(request, routes.get(), DELETE_PARAMS, keyHasher);
        } catch (RecordQuery.Refused r) {
            return refused(request.alloc(), r);
        }
        return store.delete(query.recordKey().storageId()).handle((deleted, error) -> {
            if (error != null) {
                return storeFailed(request.alloc(), error);
            }
            if (!Boolean.TRUE.equals(deleted)) {
                return AdminResponses.problem(request.alloc(), Problem.ADMIN_RECORD_NOT_FOUND, NO_RECORD);
            }
            audit.atWarn().addKeyValue("route", query.route())
                    .addKeyValue("key_hash", query.recordKey().keyHash())
                    .log("idempotency record purged by operator");
            return AdminResponses.json(request.alloc(), HttpResponseStatus.OK, g -> {
                g.writeStartObject();
                g.writeBooleanField("deleted", true);
                g.writeEndObject();
            });
        });
    }

    /** A body kept in store chunks is fetched whole here: an operator asked for it (replays stream instead). */
    private static CompletionStage<Optional<IdempotencyRecord>> withBodyLoaded(Optional<IdempotencyRecord> record) {
        if (record.isPresent() && record.get() instanceof Completed c && !c.response().body().resident()) {
            StoredResponse r = c.response();
            return r.body().loadAll().thenApply(body -> Optional.of(new Completed(c.fingerprint(), c.fence(),
                    new StoredResponse(r.status(), r.headers(), body, r.bodyOmitted()), c.createdAt(),
                    c.completedAt(), c.expiresAt())));
        }
        return CompletableFuture.completedFuture(record);
    }

    private static CompletionStage<FullHttpResponse> refused(ByteBufAllocator alloc, RecordQuery.Refused r) {
        return CompletableFuture.completedFuture(AdminResponses.problem(alloc, r.problem(), r.getMessage()));
    }

    private static FullHttpResponse storeFailed(ByteBufAllocator alloc, Throwable error) {
        log.warn("admin records: the store failed", error);
        return AdminResponses.problem(alloc, Problem.STORE_UNAVAILABLE, "The idempotency store did not answer; try again");
    }
}
