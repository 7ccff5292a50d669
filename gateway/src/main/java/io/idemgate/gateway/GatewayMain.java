package io.idemgate.gateway;

import io.idemgate.gateway.admin.RoutesJson;
import io.idemgate.gateway.config.ConfigLoadException;
import io.idemgate.gateway.config.ConfigLoader;
import io.idemgate.gateway.config.GatewayConfig;
import io.idemgate.gateway.logging.ConsoleLogFormat;
import io.idemgate.gateway.reload.ReloadTrigger;
import io.idemgate.gateway.reload.RouteReloader;
import io.idemgate.gateway.store.StoreStartException;
import io.idemgate.gateway.tls.TlsCheck;
import io.idemgate.gateway.transport.CannotListenException;
import io.idemgate.gateway.warmup.WarmUp;
import io.netty.util.ResourceLeakDetector;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Command line entry: {@code [--config PATH] [--check-config | --health-check [URL]]}. Loads and
 * validates the config before logging starts (so the log format comes from it), runs the gateway,
 * turns SIGTERM/SIGINT into a graceful stop that exits 0, and SIGHUP into a reload of the route rules.
 */
public final class GatewayMain {

    static final String DEFAULT_CONFIG = "config/gateway.conf";

    private GatewayMain() {
    }

    public static void main(String[] args) throws Exception {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        Path configPath = Path.of(DEFAULT_CONFIG);
        boolean configGiven = false;
        boolean checkOnly = false;
        boolean healthCheck = false;
        URI healthUrl = null; // null: from --config's admin listener, else HealthCheck.DEFAULT_URL
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--config" -> {
                    if (i + 1 >= args.length) {
                        err.println("--config needs a path");
                        return 2;
                    }
                    configPath = Path.of(args[++i]);
                    configGiven = true;
                }
                case "--check-config" -> checkOnly = true;
                case "--health-check" -> {
                    healthCheck = true;
                    if (i + 1 < args.length && !args[i + 1].startsWith("-")) {
                        try {
                            healthUrl = URI.create(args[++i]);
                        } catch (IllegalArgumentException e) {
                            err.println("--health-check: not a URL: " + args[i]);
                            return 2;
                        }
                    }
                }
                case "-h", "--help" -> {
                    out.println("usage: java -jar idemgate.jar [--config PATH] [--check-config | --health-check [URL]]");
                    out.println("  --config PATH    route rules and settings (HOCON), default " + DEFAULT_CONFIG);
                    out.println("  --check-config   validate the config, print the effective routes, exit");
                    out.println("  --health-check [URL]  GET the admin /healthz (default " + HealthCheck.DEFAULT_URL
                            + ", or the --config file's admin host and port); exit 0 on 200, else 1");
                    return 0;
                }
                default -> {
                    err.println("unknown argument: " + args[i] + " (try --help)");
                    return 2;
                }
            }
        }
        if (healthCheck && (healthUrl != null || !configGiven)) {
            return HealthCheck.probe(healthUrl != null ? healthUrl : HealthCheck.DEFAULT_URL, HealthCheck.TIMEOUT, err);
        }
        GatewayConfig config;
        try {
            config = ConfigLoader.load(configPath);
        } catch (ConfigLoadException e) {
            err.println(e.getMessage()); // "Invalid configuration FILE (N problems):" and one line per problem
            return 1;
        }
        if (healthCheck) {
            return HealthCheck.probe(HealthCheck.urlFor(config.admin()), HealthCheck.TIMEOUT, err);
        }
        List<String> tlsProblems = TlsCheck.problems(config);
        if (!tlsProblems.isEmpty()) {
            err.println("invalid configuration: certificate files of " + config.origin() + ":\n  "
                    + String.join("\n  ", tlsProblems));
            return 1;
        }
        if (checkOnly) {
            out.println(RoutesJson.render(config.routes()));
            out.println("configuration OK: " + config.routes().size() + " route(s) from " + config.origin());
            return 0;
        }
        // First: any class with a static logger (Netty's included) starts logback, which reads the layout once.
        ConsoleLogFormat.apply(config.logging().format());
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            // Netty's default samples buffers with stack traces on the hot path; tests turn it to PARANOID,
            // operators can with -Dio.netty.leakDetection.level=simple.
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        }
        Gateway gateway;
        try {
            // Before any listener binds: the port opens on compiled code (server.warm-up; never fails the start).
            gateway = Gateway.start(config, configPath, WarmUp.run(config));
        } catch (CannotListenException | StoreStartException e) {
            err.println("idemgate: " + e.getMessage()); // one line: what, where, and the setting to change
            return 1;
        }
        CountDownLatch stop = new CountDownLatch(1);
        Signal.handle(new Signal("TERM"), s -> stop.countDown());
        Signal.handle(new Signal("INT"), s -> stop.countDown());
        handleHangup(gateway.reloader());
        stop.await();
        gateway.stop(config.server().shutdownGrace());
        return 0;
    }

    private static void handleHangup(RouteReloader reloader) {
        try {
            Signal.handle(new Signal("HUP"), reloadOnHangup(reloader));
        } catch (IllegalArgumentException e) {
            // No SIGHUP on this platform, or the JVM reserves it (-Xrs): the other reload triggers still work.
            LoggerFactory.getLogger(GatewayMain.class).warn("SIGHUP cannot be handled here: {}", e.getMessage());
        }
    }

    /** SIGHUP reloads the route rules. The handler only hands the reload to the reload thread and returns. */
    static SignalHandler reloadOnHangup(RouteReloader reloader) {
        return signal -> reloader.reloadAsync(ReloadTrigger.SIGNAL);
    }
}
