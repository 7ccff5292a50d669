package io.idemgate.gateway.identity;

import io.idemgate.gateway.config.IdempotencyConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Builds each route's {@link ScopeResolver} and owns what {@code scope.jwt} routes share: the bounded
 * pool that verifies asymmetric signatures and reads JWKS files (created with the first such route).
 * A reload that keeps a route's {@code scope.jwt} block keeps its keys and token cache.
 */
public final class ScopeResolvers implements AutoCloseable {

    /** Verifications queued beyond the running ones; then 503 with Retry-After rather than unbounded memory. */
    static final int QUEUE = 1024;
    private static final Duration FETCH_TIMEOUT = Duration.ofSeconds(10);

    /** Per route, what a JWKS fetch did: {@code success} or {@code failure}. */
    public interface FetchListener {
        void jwksFetched(String route, boolean success);
    }

    private final FetchListener listener;
    private final Clock clock;
    private final long unknownKidNanos;
    private final Map<List<Object>, JwtScope> jwtScopes = new ConcurrentHashMap<>();
    private ThreadPoolExecutor pool;
    private boolean closed;

    public ScopeResolvers(FetchListener listener) {
        this(listener, Clock.systemUTC(), JwksKeys.UNKNOWN_KID_REFETCH_NANOS);
    }

    ScopeResolvers(FetchListener listener, Clock clock, long unknownKidNanos) {
        this.listener = listener;
        this.clock = clock;
        this.unknownKidNanos = unknownKidNanos;
    }

    /** For route tables built without a gateway (tests, benchmarks): JWKS fetches are not reported. */
    public static ScopeResolvers unreported() {
        return new ScopeResolvers((route, success) -> { });
    }

    public ScopeResolver forRoute(String route, IdempotencyConfig.Scope scope) {
        if (scope.jwt().isEmpty()) {
            return new HeaderScope(scope);
        }
        IdempotencyConfig.Jwt jwt = scope.jwt().get();
        return jwtScopes.computeIfAbsent(List.of(route, jwt), k -> newJwtScope(route, jwt));
    }

    private JwtScope newJwtScope(String route, IdempotencyConfig.Jwt jwt) {
        ThreadPoolExecutor executor = pool();
        JwksKeys keys = null;
        if (jwt.jwksFile().isPresent() || jwt.jwksUrl().isPresent()) {
            String source = jwt.jwksFile().map(Path::toString).orElseGet(() -> jwt.jwksUrl().get().toString());
            keys = new JwksKeys(route, source, fetcher(jwt, executor), jwt.jwksRefresh().toNanos(), unknownKidNanos,
                    System::nanoTime, success -> listener.jwksFetched(route, success));
            keys.refetch(); // warm before the first request; it serves once the fetch is done
        }
        return new JwtScope(jwt, keys, executor, clock);
    }

    private static java.util.function.Supplier<CompletableFuture<String>> fetcher(IdempotencyConfig.Jwt jwt,
                                                                                   ThreadPoolExecutor executor) {
        if (jwt.jwksFile().isPresent()) {
            Path file = jwt.jwksFile().get();
            return () -> CompletableFuture.supplyAsync(() -> {
                try {
                    return Files.readString(file);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, executor);
        }
        HttpClient client = httpClient(jwt.jwksCaFile());
        HttpRequest request = HttpRequest.newBuilder(jwt.jwksUrl().get()).timeout(FETCH_TIMEOUT)
                .header("Accept", "application/jwk-set+json, application/json").GET().build();
        return () -> client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(r -> {
            if (r.statusCode() != 200) {
                throw new IllegalStateException("HTTP " + r.statusCode());
            }
            return r.body();
        });
    }

    /** JDK HTTP client: its own threads, never the event loops; redirects are not followed (keys come from where configured). */
    private static HttpClient httpClient(java.util.Optional<Path> caFile) {
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(FETCH_TIMEOUT).followRedirects(HttpClient.Redirect.NEVER);
        caFile.ifPresent(f -> b.sslContext(trusting(f)));
        return b.build();
    }

    private static SSLContext trusting(Path pemFile) {
        try (InputStream in = Files.newInputStream(pemFile)) {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                store.setCertificateEntry("ca-" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("scope.jwt.jwks-ca-file " + pemFile + ": " + e.getMessage(), e);
        }
    }

    private synchronized ThreadPoolExecutor pool() {
        if (closed) {
            throw new IllegalStateException("closed");
        }
        if (pool == null) {
            int threads = Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors() / 2));
            AtomicInteger n = new AtomicInteger();
            pool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE), r -> {
                Thread t = new Thread(r, "idemgate-token-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
        }
        return pool;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}
