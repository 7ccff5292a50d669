package io.idemgate.gateway.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigObject;
import java.time.Duration;

/**
 * Builds {@link GatewayConfig} from the resolved tree: the listener, admin, logging and reload sections here,
 * the store and routes in their own parsers. All sections are read before any problem is thrown.
 */
final class GatewayConfigParser {

    private static final String ROOT = "idemgate";

    private final Config resolved;
    private final Config reference;
    private final Problems problems = new Problems();

    /** @param reference the jar's reference.conf: the defaults, and the schema unknown keys are checked against */
    GatewayConfigParser(Config resolved, Config reference) {
        this.resolved = resolved;
        this.reference = reference;
    }

    GatewayConfig parse(String origin) {
        ConfigReader root = new ConfigReader(resolved, "", resolved.root().origin(), problems)
                .block(ROOT);
        // Routes are a list and are checked per route; every other section must match reference.conf.
        ConfigObject schema = reference.getObject(ROOT);
        new ConfigReader(root.config().withoutPath("routes"), ROOT, root.origin(), problems)
                .rejectUnknownKeys(schema);

        ServerConfig server = server(root.block("server"));
        AdminConfig admin = admin(root.block("admin"));
        checkDistinctListeners(root, server, admin);
        LoggingConfig logging = logging(root.block("logging"));
        ReloadConfig reload = new ReloadConfig(root.block("reload").bool("watch-file"));
        StoreConfig store = StoreConfigParser.parse(root.block("store"));
        var routes = new RouteConfigParser(root, reference.getConfig(ROOT + ".defaults")).parse();

        problems.throwIfAny(origin);
        // A released key's fence outlives it as long as any route keeps a record (SPEC §1, fences).
        return new GatewayConfig(server, admin, store.withFenceRetentionFor(routes), logging, reload, routes, origin);
    }

    private static ServerConfig server(ConfigReader r) {
        int maxInt = Integer.MAX_VALUE;
        String viaName = r.string("via-name");
        if (!HttpSyntax.isToken(viaName)) {
            r.problem("via-name", "must be an HTTP token (letters, digits, !#$%&'*+-.^_`|~), it is sent in the Via header");
        }
        return new ServerConfig(
                host(r),
                r.integer("port", 0, 65535),
                r.integer("io-threads", 0, 4096),
                r.duration("idle-timeout", false),
                (int) r.bytes("max-initial-line-length", 1, maxInt),
                (int) r.bytes("max-header-size", 1, maxInt),
                (int) r.bytes("max-chunk-size", 1, maxInt),
                r.duration("shutdown-grace", true),
                viaName,
                r.duration("request-header-timeout", false),
                r.duration("request-body-timeout", false),
                r.bytes("max-buffered-request-bytes", 1, Long.MAX_VALUE),
                TlsFilesParser.optional(r.block("tls")),
                r.bool("h2c"),
                http2(r.block("http2")),
                warmUp(r));
    }

    private static Duration warmUp(ConfigReader r) {
        Duration warmUp = r.duration("warm-up", true);
        if (warmUp.compareTo(ServerConfig.MAX_WARM_UP) > 0) {
            r.problem("warm-up", "must be at most " + ServerConfig.MAX_WARM_UP.toSeconds() + "s (it delays every start)");
        }
        return warmUp;
    }

    private static Http2Config http2(ConfigReader r) {
        int maxInt = Integer.MAX_VALUE;
        return new Http2Config(
                r.integer("max-concurrent-streams", 1, maxInt),
                r.bytes("max-header-list-size", 1, 0xFFFFFFFFL),
                // RFC 9113 §6.5.2: a window is at most 2^31-1.
                (int) r.bytes("initial-window-size", 1, maxInt),
                r.integer("max-resets-per-window", 1, maxInt),
                r.duration("reset-window", false),
                r.integer("max-queued-control-frames", 1, maxInt));
    }

    private static AdminConfig admin(ConfigReader r) {
        return new AdminConfig(host(r), r.integer("port", 0, 65535), r.string("token"),
                TlsFilesParser.optional(r.block("tls")));
    }

    private static LoggingConfig logging(ConfigReader r) {
        return new LoggingConfig(r.enumValue("format", LoggingConfig.Format.class), r.bool("access-log"),
                r.string("key-hash-secret"));
    }

    private static String host(ConfigReader r) {
        String host = r.string("host").trim();
        if (host.isEmpty()) {
            r.problem("host", "must not be empty (use 0.0.0.0 for every interface)");
        }
        return host;
    }

    /** Both listeners on one fixed port would fail at bind time with a less helpful message. */
    private static void checkDistinctListeners(ConfigReader root, ServerConfig server, AdminConfig admin) {
        boolean samePort = server.port() != 0 && server.port() == admin.port();
        boolean overlap = server.host().equals(admin.host())
                || isWildcard(server.host()) || isWildcard(admin.host());
        if (samePort && overlap) {
            root.problem("admin.port", "must differ from idemgate.server.port (" + server.port() + ")");
        }
    }

    private static boolean isWildcard(String host) {
        return host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]");
    }
}
