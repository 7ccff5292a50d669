package io.idemgate.gateway.reload;

import io.idemgate.gateway.config.ConfigLoadException;
import io.idemgate.gateway.config.ConfigLoader;
import io.idemgate.gateway.config.GatewayConfig;
import io.idemgate.gateway.config.RouteConfig;
import io.idemgate.gateway.route.Routing;
import io.idemgate.gateway.metrics.GatewayMetrics;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-reads the config file and swaps in new route rules without a restart (SPEC §3). A new {@link Routing}
 * (route table and upstream pools) replaces the old one in one atomic step; exchanges already running keep
 * the Routing they started with, and the old pools are closed only after a grace delay. A file that does not
 * load leaves the old rules in place. Settings other than the routes are never changed here: when they
 * differ in the file, the reload says which keys need a restart.
 *
 * <p>Threading: every reload runs on one daemon thread {@value #THREAD_NAME}, never on an event loop or a
 * signal thread, so reloads are serialized and reading the file blocks nobody. {@link #reload} is also safe
 * to call directly (tests).
 */
public final class RouteReloader implements AutoCloseable {

    static final String THREAD_NAME = "idemgate-reload";
    /** Quiet time after the last file event before reloading: one save is often several writes. */
    static final Duration DEBOUNCE = Duration.ofMillis(500);
    /** Upper bound on how long replaced pools stay open, whatever the old response timeouts. */
    static final Duration MAX_RETIRE_DELAY = Duration.ofMinutes(2);

    private static final Logger log = LoggerFactory.getLogger(RouteReloader.class);

    private final Path file;
    private final GatewayConfig running;
    private final AtomicReference<Routing> routing;
    private final Function<List<RouteConfig>, Routing> build;
    private final GatewayMetrics metrics;
    private final ScheduledExecutorService worker;
    private final List<Routing> retiring = new ArrayList<>(); // guarded by this
    private ConfigFileWatcher watcher; // guarded by this
    private boolean closed; // guarded by this

    /**
     * @param running the config the gateway started with: what a reload compares the restart-only settings to
     * @param routing where exchanges read the current routing; swapped by each successful reload
     * @param build builds a Routing (and its upstream pools) for route rules
     */
    public RouteReloader(Path file, GatewayConfig running, AtomicReference<Routing> routing,
                         Function<List<RouteConfig>, Routing> build, GatewayMetrics metrics) {
        this.file = file;
        this.running = running;
        this.routing = routing;
        this.build = build;
        this.metrics = metrics;
        this.worker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, THREAD_NAME);
            t.setDaemon(true);
            // The thread may be created from the signal dispatcher, which has no context class loader;
            // Typesafe Config finds reference.conf through it.
            t.setContextClassLoader(RouteReloader.class.getClassLoader());
            return t;
        });
    }

    /** Starts watching the file when {@code idemgate.reload.watch-file} says so. */
    public synchronized void start() {
        if (!running.reload().watchFile() || closed) {
            return;
        }
        try {
            watcher = new ConfigFileWatcher(file, DEBOUNCE, () -> reloadAsync(ReloadTrigger.FILE_CHANGE));
            watcher.start();
        } catch (IOException | RuntimeException e) {
            log.warn("cannot watch {} for changes; reload with SIGHUP or POST /admin/reload", file, e);
        }
    }

    /** Runs a reload on the reload thread; never blocks the caller (a signal handler or an event loop). */
    public CompletableFuture<ReloadResult> reloadAsync(ReloadTrigger trigger) {
        try {
            return CompletableFuture.supplyAsync(() -> reload(trigger), worker);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.completedFuture(ReloadResult.failure(currentRouteCount(), "the gateway is stopping"));
        }
    }

    /** Loads the file and, if it is valid, puts its route rules in effect. Blocking; serialized. */
    public synchronized ReloadResult reload(ReloadTrigger trigger) {
        if (closed) {
            return ReloadResult.failure(currentRouteCount(), "the gateway is stopping");
        }
        GatewayConfig next;
        Routing fresh;
        try {
            next = ConfigLoader.load(file);
            fresh = build.apply(next.routes());
        } catch (ConfigLoadException e) {
            return failed(trigger, Redaction.redact(e.getMessage()));
        } catch (RuntimeException e) {
            // Not a validation problem (the pools could not be built); still keep the old rules.
            return failed(trigger, Redaction.redact("Cannot apply " + file + ": " + e.getMessage()));
        }
        List<String> restartRequired = RestartOnlySettings.changed(running, next);
        retire(routing.getAndSet(fresh));
        metrics.configReload(true);
        int routes = next.routes().size();
        log.atInfo().addKeyValue("result", "success").addKeyValue("routes", routes)
                .addKeyValue("trigger", trigger.label()).addKeyValue("config", file)
                .log("route rules reloaded: {} route(s) from {} ({})", routes, file, trigger.label());
        if (!RestartOnlySettings.ttlsBeyondFenceRetention(running, next).isEmpty()) {
            log.atWarn().addKeyValue("trigger", trigger.label())
                    .addKeyValue("fence_retention", running.store().fenceRetention())
                    .addKeyValue("needed", next.store().fenceRetention())
                    .log("a route ttl is now longer than the fence retention the store started with ({}): records "
                            + "use the new ttl now, but a release or purge keeps its fence tombstone for {} until "
                            + "a restart (needed: {})", running.store().fenceRetention(),
                            running.store().fenceRetention(), next.store().fenceRetention());
        }
        if (!restartRequired.isEmpty()) {
            log.atWarn().addKeyValue("trigger", trigger.label()).addKeyValue("restart_required", restartRequired)
                    .log("changed settings not applied, they need a restart: {}", String.join(", ", restartRequired));
        }
        return ReloadResult.success(routes, restartRequired);
    }

    private ReloadResult failed(ReloadTrigger trigger, String why) {
        metrics.configReload(false);
        int kept = currentRouteCount();
        log.atWarn().addKeyValue("result", "failure").addKeyValue("routes", kept)
                .addKeyValue("trigger", trigger.label()).addKeyValue("config", file)
                .log("route reload rejected, keeping the {} current route(s) ({}): {}", kept, trigger.label(), why);
        return ReloadResult.failure(kept, why);
    }

    /**
     * Closes the replaced pools later, not now: an exchange that read the old Routing just before the swap may
     * still be acquiring a connection or queued for one. Busy connections are never cut: a closed pool closes
     * them when their exchange releases them.
     */
    private void retire(Routing old) {
        retiring.add(old);
        Duration delay = retireDelay(old.table().configs());
        try {
            worker.schedule(() -> closeRetired(old), delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            closeRetired(old);
        }
    }

    private synchronized void closeRetired(Routing old) {
        if (retiring.remove(old)) {
            old.upstreams().close();
        }
    }

    /** The longest time an old exchange can wait on the old pools: its connect plus response timeout, capped. */
    static Duration retireDelay(List<RouteConfig> routes) {
        Duration longest = Duration.ZERO;
        for (RouteConfig r : routes) {
            Duration d = r.upstream().connectTimeout().plus(r.upstream().responseTimeout());
            if (d.compareTo(longest) > 0) {
                longest = d;
            }
        }
        return longest.compareTo(MAX_RETIRE_DELAY) > 0 ? MAX_RETIRE_DELAY : longest;
    }

    private int currentRouteCount() {
        return routing.get().table().configs().size();
    }

    /**
     * Stops watching, refuses further reloads and closes replaced pools now. Call before the event loops
     * stop: closing a pool runs on its loop. The current Routing is the caller's to close.
     */
    @Override
    public void close() {
        ConfigFileWatcher w;
        List<Routing> old;
        synchronized (this) {
            closed = true;
            w = watcher;
            watcher = null;
            old = List.copyOf(retiring);
            retiring.clear();
        }
        if (w != null) {
            w.close();
        }
        worker.shutdownNow();
        old.forEach(r -> r.upstreams().close());
    }
}
