package io.idemgate.gateway.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Builds the {@code idemgate.routes} list: each route's name and match here, its upstream and
 * idempotency blocks merged over {@code idemgate.defaults} and handed to their own parsers.
 */
final class RouteConfigParser {

    /** The name becomes a Prometheus label value and a store key part; keep it plain. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]+");

    /** Keys a route may have besides those under {@code idemgate.defaults}. */
    private static final Config ROUTE_ONLY_KEYS = ConfigFactory.parseString(
            "name = \"\", match { host = \"\", path = \"\", methods = [] }, upstream.urls = []");

    private final ConfigReader root;
    private final ConfigReader defaults;
    private final Config referenceDefaults;
    private final ConfigObject schema;
    private final Map<String, ConfigOrigin> seenNames = new HashMap<>();

    /**
     * @param root the {@code idemgate} block (effective, so users may change {@code defaults} in their file)
     * @param referenceDefaults {@code idemgate.defaults} of reference.conf, the schema for route blocks
     */
    RouteConfigParser(ConfigReader root, Config referenceDefaults) {
        this.root = root;
        this.defaults = root.block("defaults");
        this.referenceDefaults = referenceDefaults;
        this.schema = ROUTE_ONLY_KEYS.withFallback(referenceDefaults).root();
    }

    List<RouteConfig> parse() {
        // Checked on their own too, so a bad default is reported even while no route uses it.
        UpstreamConfigParser.parse(defaults.block("upstream"), false);
        IdempotencyConfigParser.parse(defaults.block("idempotency"));

        List<RouteConfig> routes = new ArrayList<>();
        List<ConfigValue> values = root.list("routes");
        for (int i = 0; i < values.size(); i++) {
            ConfigValue value = values.get(i);
            String path = root.path("routes") + "[" + i + "]";
            if (!(value instanceof ConfigObject object)) {
                root.problem(path, value, "a route must be a block { name = ..., match { ... }, upstream { ... } }");
                continue;
            }
            routes.add(route(new ConfigReader(object.toConfig(), path, object.origin(), root.problems())));
        }
        return routes;
    }

    private RouteConfig route(ConfigReader r) {
        r.rejectUnknownKeys(schema);
        String name = name(r);
        MatchConfig match = match(r.block("match"));
        Config upstreamDefaults = defaultsFor("upstream");
        Config idempotencyDefaults = defaultsFor("idempotency");
        UpstreamConfig upstream = UpstreamConfigParser.parse(r.blockWithDefaults("upstream", upstreamDefaults), true);
        ConfigReader idempotency = r.has("idempotency")
                ? r.blockWithDefaults("idempotency", idempotencyDefaults)
                : new ConfigReader(idempotencyDefaults, r.path("idempotency"), r.origin(), r.problems());
        return new RouteConfig(name, match, upstream, IdempotencyConfigParser.parse(idempotency));
    }

    /** The effective defaults block; where the user broke it (reported once by parse()), reference.conf's, to avoid a cascade. */
    private Config defaultsFor(String key) {
        Config own = defaults.config();
        return own.hasPath(key) && own.getValue(key).valueType() == ConfigValueType.OBJECT
                ? own.getConfig(key)
                : referenceDefaults.getConfig(key);
    }

    private String name(ConfigReader r) {
        String name = r.string("name");
        if (!r.has("name")) {
            return name;
        }
        ConfigOrigin here = r.config().getValue("name").origin();
        if (!NAME.matcher(name).matches()) {
            r.problem("name", "must match [A-Za-z0-9_.-]+ (it is used as a metric label)");
        } else if (seenNames.containsKey(name)) {
            r.problem("name", "duplicate route name; first defined at " + seenNames.get(name).description());
        } else {
            seenNames.put(name, here);
        }
        return name;
    }

    private static MatchConfig match(ConfigReader r) {
        String path = r.string("path");
        String error = PathGlobs.check(path);
        if (error != null && r.has("path")) {
            r.problem("path", error);
        }
        Optional<String> host = Optional.empty();
        if (r.has("host")) {
            String h = r.string("host").trim().toLowerCase(java.util.Locale.ROOT);
            if (h.isEmpty()) {
                r.problem("host", "must not be empty; leave host out to match any host");
            }
            host = Optional.of(h);
        }
        List<String> methods = r.has("methods") ? r.strings("methods", IdempotencyConfigParser::checkMethod) : List.of();
        return new MatchConfig(host, path, ConfigReader.upperCase(methods));
    }
}
