package io.idemgate.gateway;

import io.idemgate.gateway.admin.AdminEndpoints;
import io.idemgate.gateway.admin.AdminServer;
import io.idemgate.gateway.admin.Readiness;
import io.idemgate.gateway.admin.RecordsEndpoint;
import io.idemgate.gateway.config.GatewayConfig;
import io.idemgate.gateway.config.IdempotencyConfig;
import io.idemgate.gateway.config.LoggingConfig;
import io.idemgate.gateway.config.RouteConfig;
import io.idemgate.gateway.config.TlsFiles;
import io.idemgate.gateway.exchange.AccessLog;
import io.idemgate.gateway.exchange.BufferedBodyBudget;
import io.idemgate.gateway.exchange.DrainSignal;
import io.idemgate.gateway.exchange.ExchangeServices;
import io.idemgate.gateway.exchange.OwnerIds;
import io.idemgate.gateway.route.Routing;
import io.idemgate.gateway.http.ForwardedHeaders;
import io.idemgate.gateway.idempotency.KeyHasher;
import io.idemgate.gateway.identity.ScopeResolvers;
import io.idemgate.gateway.logging.AccessLogWriter;
import io.idemgate.gateway.metrics.GatewayMetrics;
import io.idemgate.gateway.reload.ReloadTrigger;
import io.idemgate.gateway.reload.RouteReloader;
import io.idemgate.gateway.route.RouteTable;
import io.idemgate.gateway.server.ProxyServer;
import io.idemgate.gateway.store.IdempotencyStore;
import io.idemgate.gateway.store.StoreFactory;
import io.idemgate.gateway.store.StoreHealth;
import io.idemgate.gateway.tls.CertificateWatcher;
import io.idemgate.gateway.tls.ServerTls;
import io.idemgate.gateway.tls.TlsFileException;
import io.idemgate.gateway.transport.Transport;
import io.idemgate.gateway.upstream.UpstreamClient;
import io.idemgate.gateway.warmup.WarmUpReport;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.util.concurrent.Future;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running gateway: the proxy listener, the admin listener and what they share. Starts the parts
 * in dependency order and stops them in reverse. Used by {@link GatewayMain} and by the tests.
 */
public final class Gateway implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Gateway.class);

    private final GatewayConfig config;
    private final Transport transport;
    private final EventLoopGroup ioGroup;
    private final EventLoopGroup adminGroup;
    private final AtomicReference<Routing> routing = new AtomicReference<>();
    private final RouteReloader reloader; // null when started without a config file
    private final ProxyServer proxy;
    private final AdminServer admin;
    private final GatewayMetrics metrics;
    private final ScopeResolvers scopes;
    private final IdempotencyStore store;
    private final StoreHealth storeHealth = new StoreHealth();
    private int proxyPort;
    private int adminPort;
    private boolean stopped;
    private static final String ACCESS_LOGGER = "idemgate.access";
    /** Access lines that may wait for the writer: about a second at 8,000 req/s, then lines are dropped and counted. */
    private static final int ACCESS_LOG_QUEUE = 8192;
    private final AccessLogWriter accessLogWriter;
    private final ServerTls serverTls; // null: cleartext
    private final ServerTls adminTls;  // null: cleartext
    /** A private instance (the warm-up's): its start and stop are logged at DEBUG, not as the gateway's. */
    private final boolean quiet;
    private CertificateWatcher certificateWatcher;
    /** How often certificate files are looked at for a change. */
    private static final Duration CERTIFICATE_CHECK = Duration.ofSeconds(1);

    private Gateway(GatewayConfig config, Path configFile, PrometheusRegistry registry, PrintStream accessOut,
                    boolean quiet) {
        this.config = config;
        this.quiet = quiet;
        // First: a bad certificate stops the start before any thread exists.
        this.serverTls = serverTls(config.server().tls(), true);
        this.adminTls = serverTls(config.admin().tls(), false);
        this.transport = Transport.detect();
        // Whatever is built before a failure (a store that cannot be reached, a bad route) is released in
        // reverse, or its threads (the event loops above all) outlive the failed start in this JVM.
        java.util.ArrayDeque<AutoCloseable> built = new java.util.ArrayDeque<>();
        try {
            EventLoopGroup io = transport.newEventLoopGroup(config.server().ioThreads(), "idemgate-io");
            this.ioGroup = io;
            built.push(() -> shutDown(io));
            EventLoopGroup adminLoop = transport.newEventLoopGroup(1, "idemgate-admin");
            this.adminGroup = adminLoop;
            built.push(() -> shutDown(adminLoop));
            this.metrics = new GatewayMetrics(registry);
            RouteReloader routeReloader = configFile == null ? null
                    : new RouteReloader(configFile, config, routing, this::routingFor, metrics);
            this.reloader = routeReloader;
            if (routeReloader != null) {
                built.push(routeReloader);
            }
            ScopeResolvers scopeResolvers = new ScopeResolvers(metrics::jwksFetched);
            this.scopes = scopeResolvers;
            built.push(scopeResolvers::close);
            routing.set(routingFor(config.routes()));
            built.push(() -> routing.get().upstreams().close()); // before the loops stop: a pool closes on its loop
            metrics.registerStoreHealth(storeHealth);
            IdempotencyStore created = StoreFactory.create(config.store(), io, transport.socketChannelType(), metrics,
                    storeHealth);
            this.store = created;
            built.push(created::close);
            KeyHasher keyHasher = KeyHasher.withSecret(config.logging().keyHashSecret());
            AccessLogWriter writer = accessLogWriter(config.logging(), accessOut);
            this.accessLogWriter = writer;
            if (writer != null) {
                built.push(writer::close);
                metrics.registerAccessLogDropped(writer::dropped);
            }
            ExchangeServices services = new ExchangeServices(routing::get, config.server(), metrics,
                    new ForwardedHeaders(config.server().viaName()), new AccessLog(writer),
                    new DrainSignal(), created, new OwnerIds(),
                    new BufferedBodyBudget(config.server().maxBufferedRequestBytes()), keyHasher);
            metrics.registerBufferedRequestBytes(services.bodyBudget()::used);
            this.proxy = new ProxyServer(config.server(), services, transport, io, serverTls, !quiet);
            RecordsEndpoint records = new RecordsEndpoint(() -> routing.get().table().configs(), created, keyHasher);
            this.admin = new AdminServer(config.admin(), transport, adminLoop, AdminEndpoints.builder()
                    .health()
                    .readiness(this::readiness)
                    .metrics(registry)
                    .reload(routeReloader == null ? null : () -> routeReloader.reloadAsync(ReloadTrigger.ADMIN))
                    .routes(() -> routing.get().table().configs())
                    .route(HttpMethod.GET, RecordsEndpoint.PATH, records::inspect, true)
                    .route(HttpMethod.DELETE, RecordsEndpoint.PATH, records::purge, true)
                    .build(), adminTls);
        } catch (RuntimeException | Error e) {
            releaseAll(built, e);
            throw e;
        }
    }

    /** Releases in reverse order of creation; what fails to release is added to {@code cause}, not thrown. */
    private static void releaseAll(java.util.Deque<AutoCloseable> built, Throwable cause) {
        for (AutoCloseable c : built) { // a pushed deque iterates newest first
            try {
                c.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                cause.addSuppressed(e);
            } catch (Exception | Error e) {
                cause.addSuppressed(e);
            }
        }
    }

    /** Shuts an event loop group down as {@link #stop} does, waiting a bounded time for its threads to end. */
    private static void shutDown(EventLoopGroup group) throws InterruptedException {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    }

    /** Starts a gateway with its own metrics registry, JVM metrics included; its routes cannot be reloaded. */
    public static Gateway start(GatewayConfig config) throws InterruptedException {
        return start(config, null);
    }

    /**
     * Starts a gateway whose route rules reload from {@code configFile} (the file {@code config} was loaded from)
     * on {@code POST /admin/reload}, {@link #reloader()} and, if configured, a change to the file.
     */
    public static Gateway start(GatewayConfig config, Path configFile) throws InterruptedException {
        return start(config, configFile, null);
    }

    /** As above, after a warm-up: {@code warmUp} (null: none ran) is shown in {@code idemgate_warm_up_*}. */
    public static Gateway start(GatewayConfig config, Path configFile, WarmUpReport warmUp) throws InterruptedException {
        PrometheusRegistry registry = new PrometheusRegistry();
        Gateway g = new Gateway(config, configFile, registry, System.out, false);
        try {
            g.metrics.registerJvmMetrics();
            if (warmUp != null) {
                g.metrics.registerWarmUp(warmUp.requests(), warmUp.duration().toNanos() / 1e9);
            }
        } catch (RuntimeException e) {
            g.close();
            throw e;
        }
        g.startListeners();
        return g;
    }

    /**
     * A private gateway, the warm-up's: its own metrics registry (no JVM metrics), access lines to
     * {@code accessOut}, its start and stop logged at DEBUG. Its config says where it listens and what it reaches.
     */
    public static Gateway startPrivate(GatewayConfig config, PrintStream accessOut) throws InterruptedException {
        Gateway g = new Gateway(config, null, new PrometheusRegistry(), accessOut, true);
        g.startListeners();
        return g;
    }

    private void startListeners() throws InterruptedException {
        try {
            adminPort = admin.start();
            proxyPort = proxy.start();
            if (reloader != null) {
                reloader.start();
            }
            List<ServerTls> certificates = java.util.stream.Stream.of(serverTls, adminTls)
                    .filter(java.util.Objects::nonNull).toList();
            if (!certificates.isEmpty()) {
                certificateWatcher = new CertificateWatcher(certificates, CERTIFICATE_CHECK, metrics::certificateReload);
            }
        } catch (RuntimeException | InterruptedException e) {
            close();
            throw e;
        }
        (quiet ? log.atDebug() : log.atInfo()).addKeyValue("routes", config.routes().size())
                .addKeyValue("io-threads", eventLoops())
                .addKeyValue("config", config.origin())
                .log("idemgate started: proxy :{} admin {}:{}", proxyPort, config.admin().host(), adminPort);
    }

    private static ServerTls serverTls(TlsFiles files, boolean offerH2) {
        if (files == null) {
            return null;
        }
        try {
            return new ServerTls(files, offerH2);
        } catch (TlsFileException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private java.util.concurrent.CompletionStage<Readiness> readiness() {
        String name = "store: " + config.store().type().name().toLowerCase(java.util.Locale.ROOT);
        // Ready only when every event loop reaches the store (what one request sees, every request sees); a store
        // at risk of evicting records still answers: ready, with the warning in the detail.
        return store.ready().handle((ok, err) -> err == null && Boolean.TRUE.equals(ok)
                ? Readiness.ready(name + storeHealth.detail()) : Readiness.notReady(name + " not answering"));
    }

    public IdempotencyStore store() {
        return store;
    }

    public int proxyPort() {
        return proxyPort;
    }

    public int adminPort() {
        return adminPort;
    }

    public GatewayMetrics metrics() {
        return metrics;
    }

    /** @return the route reloader, or null when the gateway was started without a config file */
    public RouteReloader reloader() {
        return reloader;
    }

    /**
     * The proxy's event loops: {@code server.io-threads}, or for 0 one per processor the JVM may use
     * ({@link Runtime#availableProcessors()} counts the affinity mask and a container's CPU quota, so two
     * loops never share one quota core by default). The same count as {@link Transport#newEventLoopGroup}.
     */
    private int eventLoops() {
        return config.server().ioThreads() > 0 ? config.server().ioThreads() : Runtime.getRuntime().availableProcessors();
    }

    /** What a reload swaps in: a new route table and new upstream pools, built as the constructor builds them. */
    private Routing routingFor(List<RouteConfig> routes) {
        int loops = eventLoops();
        warnSharedScopes(routes);
        // Every configured route's series exist from the start, at 0: rate() over a series first seen
        // after its first request misses that request (dashboards and the duplicate rate read NaN or 0).
        routes.forEach(r -> metrics.route(r.name()));
        return new Routing(new RouteTable(routes, scopes), new UpstreamClient(routes, transport, loops));
    }

    /**
     * A route whose clients without scope headers share one scope replays one such client's stored
     * response (Set-Cookie and all) to another: allowed when an operator says so, never silently.
     */
    private static void warnSharedScopes(List<RouteConfig> routes) {
        for (RouteConfig r : routes) {
            var idem = r.idempotency();
            if (idem.mode() == IdempotencyConfig.Mode.OFF || idem.scopeHeaders().isEmpty() || idem.scope().jwt().isPresent()
                    || idem.scope().whenMissing() != IdempotencyConfig.WhenMissing.SHARED) {
                continue;
            }
            log.atWarn().addKeyValue("route", r.name()).addKeyValue("scope_headers", idem.scopeHeaders())
                    .log("route '{}' has scope.when-missing = shared: requests without {} share one scope, "
                            + "and so one another's stored responses", r.name(), idem.scopeHeaders());
        }
    }

    /**
     * Graceful stop: no new connections, in-flight exchanges finish within {@code grace}, then the
     * upstream pools, the admin listener and the event loops close.
     *
     * @return true if nothing had to be cut short
     */
    public synchronized boolean stop(Duration grace) throws InterruptedException {
        if (stopped) {
            return true;
        }
        stopped = true;
        if (certificateWatcher != null) {
            certificateWatcher.close();
        }
        boolean clean = proxy.stop(grace);
        if (reloader != null) {
            reloader.close(); // before the loops stop: no reload swaps pools in behind us, replaced pools close now
        }
        routing.get().upstreams().close();
        scopes.close();
        store.close();
        admin.stop();
        Future<?> a = ioGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        Future<?> b = adminGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        a.await(5, TimeUnit.SECONDS);
        b.await(5, TimeUnit.SECONDS);
        if (accessLogWriter != null) {
            accessLogWriter.close(); // after the loops: every exchange's line is queued by now
        }
        (quiet ? log.atDebug() : log.atInfo()).log("idemgate stopped{}", clean ? "" : " (some exchanges were cut short)");
        return clean;
    }

    /**
     * The access log's writer, or null when it is off (by {@code logging.access-log}, or by the
     * {@code idemgate.access} logger's level in a custom logback configuration).
     */
    private static AccessLogWriter accessLogWriter(LoggingConfig logging, PrintStream out) {
        if (!logging.accessLog() || !LoggerFactory.getLogger(ACCESS_LOGGER).isInfoEnabled()) {
            return null;
        }
        return new AccessLogWriter(logging.format() == LoggingConfig.Format.JSON, ACCESS_LOG_QUEUE, out);
    }

    @Override
    public void close() {
        try {
            stop(config.server().shutdownGrace());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
