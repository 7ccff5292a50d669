package io.idemgate.gateway.config;

import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Builds {@link StoreConfig}. The Redis block is validated even with {@code type = memory}: a typo there is still a typo. */
final class StoreConfigParser {

    private static final Set<String> SCHEMES = Set.of("redis", "rediss", "redis-sentinel");

    private StoreConfigParser() {
    }

    static StoreConfig parse(ConfigReader r) {
        StoreConfig.Type type = r.enumValue("type", StoreConfig.Type.class);
        ConfigReader m = r.block("memory");
        var memory = new StoreConfig.Memory(auto(m, "max-entries") ? 0 : m.integer("max-entries", 1, Integer.MAX_VALUE),
                auto(m, "max-bytes") ? 0 : m.bytes("max-bytes", 1 << 20, Long.MAX_VALUE));
        return new StoreConfig(type, memory, redis(r.block("redis")));
    }

    private static StoreConfig.Redis redis(ConfigReader r) {
        StoreConfig.Redis.Mode mode = r.enumValue("mode", StoreConfig.Redis.Mode.class);
        List<String> uris = uris(r, mode);
        int minReplicas = r.integer("min-replicas", 0, 16);
        if (minReplicas > 0 && mode == StoreConfig.Redis.Mode.CLUSTER) {
            // Each master replicates on its own; one WAIT cannot speak for all of them.
            r.problem("min-replicas", "is not supported with mode = cluster (0 there)");
        }
        return new StoreConfig.Redis(uris, mode, r.string("key-prefix"), r.duration("command-timeout", false),
                minReplicas, r.duration("replica-timeout", false));
    }

    /** {@code auto}: the store sizes itself from the heap. */
    private static boolean auto(ConfigReader r, String key) {
        return r.has(key) && r.config().getValue(key).valueType() == ConfigValueType.STRING
                && "auto".equalsIgnoreCase(r.config().getString(key).trim());
    }

    /** {@code uri} is one string, or a list of seed nodes for a cluster. */
    private static List<String> uris(ConfigReader r, StoreConfig.Redis.Mode mode) {
        List<String> uris = new ArrayList<>();
        if (r.has("uri") && r.config().getValue("uri").valueType() == ConfigValueType.LIST) {
            List<ConfigValue> values = r.list("uri");
            if (values.isEmpty()) {
                r.problem("uri", "must name at least one Redis URI");
            } else if (values.size() > 1 && mode != null && mode != StoreConfig.Redis.Mode.CLUSTER) {
                r.problem("uri", "a list of several URIs needs mode = cluster (sentinels go in one redis-sentinel:// URI)");
            }
            for (int i = 0; i < values.size(); i++) {
                ConfigValue v = values.get(i);
                addIfValid(r, r.path("uri") + "[" + i + "]", v, mode, uris);
            }
        } else if (r.has("uri")) {
            addIfValid(r, r.path("uri"), r.config().getValue("uri"), mode, uris);
        } else {
            r.problem("uri", "is required");
        }
        return uris;
    }

    private static void addIfValid(ConfigReader r, String path, ConfigValue v, StoreConfig.Redis.Mode mode, List<String> out) {
        if (v.valueType() != ConfigValueType.STRING) {
            r.problem(path, v, "expected a URI string such as \"redis://127.0.0.1:6379\"");
            return;
        }
        String uri = ((String) v.unwrapped()).trim();
        String error = check(uri, mode);
        if (error != null) {
            r.problem(path, v, error);
        } else {
            out.add(uri);
        }
    }

    private static String check(String uri, StoreConfig.Redis.Mode mode) {
        URI parsed;
        try {
            parsed = new URI(uri);
        } catch (URISyntaxException e) {
            return "not a valid URI: " + e.getReason();
        }
        String scheme = parsed.getScheme() == null ? "" : parsed.getScheme().toLowerCase(Locale.ROOT);
        if (!SCHEMES.contains(scheme)) {
            return "scheme must be redis://, rediss:// or redis-sentinel://";
        }
        boolean sentinelScheme = scheme.equals("redis-sentinel");
        if (mode == StoreConfig.Redis.Mode.SENTINEL && !sentinelScheme) {
            return "mode = sentinel needs a redis-sentinel://host:port[,host:port]/#master-name URI";
        }
        if (sentinelScheme && mode != null && mode != StoreConfig.Redis.Mode.SENTINEL) {
            return "redis-sentinel:// is only valid with mode = sentinel";
        }
        if (sentinelScheme && (parsed.getFragment() == null || parsed.getFragment().isBlank())) {
            return "a redis-sentinel:// URI must end with #master-name";
        }
        // A sentinel URI lists several hosts, which java.net.URI does not parse as a server authority.
        if (!sentinelScheme && (parsed.getHost() == null || parsed.getHost().isEmpty())) {
            return "has no host";
        }
        return null;
    }
}
