package io.idemgate.gateway.identity;

import com.nimbusds.jose.jwk.JWKSet;
import java.text.ParseException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A route's JWK set: fetched off the event loops, kept, refetched when it is older than
 * {@code jwks-refresh} (in the background; the current set keeps serving) or when a token names an
 * unknown {@code kid} (at most every 30 s, so forged kids cannot turn the gateway into a fetch loop).
 * A failed fetch keeps the last good set. One fetch at a time.
 */
final class JwksKeys {

    private static final Logger log = LoggerFactory.getLogger(JwksKeys.class);
    static final long UNKNOWN_KID_REFETCH_NANOS = 30_000_000_000L;

    /** What a fetch reports, for the metric and the log; never key material. */
    interface Listener {
        void fetched(boolean success);
    }

    private final String route;
    private final String source; // the file or URL, for log lines
    private final Supplier<CompletableFuture<String>> fetch;
    private final long refreshNanos;
    private final long unknownKidNanos;
    private final LongSupplier clock;
    private final Listener listener;
    private final AtomicReference<CompletableFuture<JWKSet>> inFlight = new AtomicReference<>();
    private volatile JWKSet current;
    private volatile long lastSuccessNanos;
    private volatile long lastUnknownKeyFetchNanos;
    private volatile boolean unknownKeyFetched;

    JwksKeys(String route, String source, Supplier<CompletableFuture<String>> fetch, long refreshNanos,
             long unknownKidNanos, LongSupplier clock, Listener listener) {
        this.route = route;
        this.source = source;
        this.fetch = fetch;
        this.refreshNanos = refreshNanos;
        this.unknownKidNanos = unknownKidNanos;
        this.clock = clock;
        this.listener = listener;
    }

    /** The last good set, or null when none was ever fetched. Starts a background refresh when it is stale. */
    JWKSet current() {
        JWKSet set = current;
        if (set != null && clock.getAsLong() - lastSuccessNanos > refreshNanos) {
            refetch();
        }
        return set;
    }

    /**
     * A token named a key we do not have. @return the refetch to wait for, or null when one ran too
     * recently (the answer then stays "unknown key")
     */
    CompletableFuture<JWKSet> refetchForUnknownKey() {
        CompletableFuture<JWKSet> running = inFlight.get();
        if (running != null) {
            return running;
        }
        // Only fetches that tokens asked for count: the one at start or a periodic refresh must not
        // make the first rotated key wait 30 s.
        long now = clock.getAsLong();
        if (unknownKeyFetched && now - lastUnknownKeyFetchNanos < unknownKidNanos) {
            return null;
        }
        lastUnknownKeyFetchNanos = now;
        unknownKeyFetched = true;
        return refetch();
    }

    /** Starts a fetch unless one runs; completes with the set in effect afterwards (the old one on failure). */
    CompletableFuture<JWKSet> refetch() {
        CompletableFuture<JWKSet> mine = new CompletableFuture<>();
        CompletableFuture<JWKSet> running = inFlight.compareAndExchange(null, mine);
        if (running != null) {
            return running;
        }
        CompletableFuture<String> body;
        try {
            body = fetch.get();
        } catch (RuntimeException e) {
            body = CompletableFuture.failedFuture(e);
        }
        body.handle((text, err) -> {
            if (err == null) {
                try {
                    JWKSet set = JWKSet.parse(text).toPublicJWKSet(); // never hold private parts, even if served
                    if (set.getKeys().isEmpty()) {
                        throw new ParseException("no keys", 0);
                    }
                    current = set;
                    lastSuccessNanos = clock.getAsLong();
                    listener.fetched(true);
                    log.atInfo().addKeyValue("route", route).addKeyValue("keys", set.getKeys().size())
                            .log("JWKS fetched from {}", source);
                    return set;
                } catch (ParseException | RuntimeException e) {
                    err = e;
                }
            }
            listener.fetched(false);
            log.atWarn().addKeyValue("route", route).addKeyValue("kept_previous", current != null)
                    .log("JWKS fetch from {} failed: {}", source, rootMessage(err));
            return current;
        }).whenComplete((set, err) -> {
            inFlight.set(null);
            mine.complete(set);
        });
        return mine;
    }

    private static String rootMessage(Throwable err) {
        Throwable t = err;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }
}
