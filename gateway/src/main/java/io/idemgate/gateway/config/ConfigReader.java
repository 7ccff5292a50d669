package io.idemgate.gateway.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Typed reads below one block of a resolved {@link Config}. Every read that fails records a problem
 * (with the full key path, which a sub-config alone no longer knows) and returns a harmless fallback,
 * so one load reports every problem instead of stopping at the first.
 */
final class ConfigReader {

    private final Config config;
    private final String path;
    private final ConfigOrigin origin;
    private final Problems problems;

    ConfigReader(Config config, String path, ConfigOrigin origin, Problems problems) {
        this.config = config;
        this.path = path;
        this.origin = origin;
        this.problems = problems;
    }

    Problems problems() {
        return problems;
    }

    Config config() {
        return config;
    }

    ConfigOrigin origin() {
        return origin;
    }

    /** The full path of this block, e.g. {@code idemgate.server.tls}. */
    String path() {
        return path;
    }

    String path(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    boolean has(String key) {
        return config.hasPath(key);
    }

    /**
     * The block at {@code key}. A missing or non-object value is one problem; the empty block returned
     * then drops its own problems, so "upstream is required" is not followed by "upstream.urls is required".
     */
    ConfigReader block(String key) {
        if (!config.hasPath(key)) {
            problem(key, "is required");
        } else if (config.getValue(key).valueType() != ConfigValueType.OBJECT) {
            problem(key, "must be a block { ... }");
        } else {
            return new ConfigReader(config.getConfig(key), path(key), config.getValue(key).origin(), problems);
        }
        return new ConfigReader(ConfigFactory.empty(), path(key), origin, new Problems());
    }

    /** The block at {@code key} with {@code defaults} under it: the block's own keys win. */
    ConfigReader blockWithDefaults(String key, Config defaults) {
        ConfigReader own = block(key);
        return new ConfigReader(own.config.withFallback(defaults), own.path, own.origin, own.problems);
    }

    /** Records a problem about {@code key}, pointing at its value's line when it has one. */
    void problem(String key, String what) {
        ConfigValue value = config.hasPath(key) ? config.getValue(key) : null;
        problems.add(value == null ? origin : value.origin(), path(key), what, value);
    }

    void problem(String fullPath, ConfigValue value, String what) {
        problems.add(value.origin(), fullPath, what, value);
    }

    String string(String key) {
        return read(key, "a string", "", config::getString);
    }

    boolean bool(String key) {
        return read(key, "true or false", false, config::getBoolean);
    }

    int integer(String key, int min, int max) {
        int value = read(key, "a whole number", min, config::getInt);
        return checkRange(key, value, min, max) ? value : min;
    }

    /** A memory size in bytes; {@code 1m} is one MiB, per HOCON's size units. */
    long bytes(String key, long min, long max) {
        long value = read(key, "a size such as 64k or 1m", min, config::getBytes);
        return checkRange(key, value, min, max) ? value : min;
    }

    /** @param allowZero whether {@code 0} is meaningful here (a grace period may be; a timeout is not) */
    Duration duration(String key, boolean allowZero) {
        Duration value = read(key, "a duration such as 500ms, 30s or 24h", Duration.ofSeconds(1), config::getDuration);
        if (value.isNegative() || (!allowZero && value.isZero())) {
            problem(key, allowZero ? "must not be negative" : "must be greater than zero");
        }
        return value;
    }

    /** An enum constant, case-insensitive, with {@code -} standing for {@code _} ({@code fail-closed}). */
    <E extends Enum<E>> E enumValue(String key, Class<E> type) {
        String raw = read(key, "a string", null, config::getString);
        if (raw == null) {
            return null;
        }
        String wanted = raw.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equals(wanted)) {
                return constant;
            }
        }
        String allowed = Arrays.stream(type.getEnumConstants())
                .map(c -> c.name().toLowerCase(Locale.ROOT).replace('_', '-'))
                .collect(Collectors.joining(" | "));
        problem(key, "unknown value; allowed: " + allowed);
        return null;
    }

    /** The elements of a list; a value that is not a list is a problem and yields no elements. */
    List<ConfigValue> list(String key) {
        return read(key, "a list [ ... ]", List.of(), k -> new ArrayList<ConfigValue>(config.getList(k)));
    }

    /** A list of strings, each checked by {@code check} (which returns an error text or null). */
    List<String> strings(String key, Function<String, String> check) {
        List<String> out = new ArrayList<>();
        List<ConfigValue> values = list(key);
        for (int i = 0; i < values.size(); i++) {
            ConfigValue v = values.get(i);
            String element = path(key) + "[" + i + "]";
            if (v.valueType() == ConfigValueType.OBJECT || v.valueType() == ConfigValueType.LIST
                    || v.valueType() == ConfigValueType.NULL) {
                problem(element, v, "expected a string");
                continue;
            }
            String s = v.unwrapped().toString();
            String error = check.apply(s);
            if (error != null) {
                problem(element, v, error);
            } else {
                out.add(s);
            }
        }
        return out;
    }

    /**
     * Flags every key of this block (recursively into sub-blocks) that {@code schema} does not have,
     * listing the allowed keys at that level, so a typo such as {@code upstrem} is not silently ignored.
     */
    void rejectUnknownKeys(ConfigObject schema) {
        rejectUnknownKeys(config.root(), schema, path);
    }

    private void rejectUnknownKeys(ConfigObject actual, ConfigObject schema, String at) {
        for (String key : new TreeSet<>(actual.keySet())) {
            ConfigValue value = actual.get(key);
            String keyPath = at.isEmpty() ? key : at + "." + key;
            ConfigValue expected = schema.get(key);
            if (expected == null) {
                problems.add(value.origin(), keyPath, "unknown key; allowed here: "
                        + String.join(", ", new TreeSet<>(schema.keySet())), null);
            } else if (value instanceof ConfigObject a && expected instanceof ConfigObject e) {
                rejectUnknownKeys(a, e, keyPath);
            }
        }
    }

    private boolean checkRange(String key, long value, long min, long max) {
        if (value < min || value > max) {
            problem(key, max == Integer.MAX_VALUE || max == Long.MAX_VALUE
                    ? "must be at least " + min : "must be between " + min + " and " + max);
            return false;
        }
        return true;
    }

    private <T> T read(String key, String expected, T fallback, Function<String, T> getter) {
        try {
            return getter.apply(key);
        } catch (ConfigException.Missing e) {
            problem(key, "is required");
        } catch (ConfigException e) {
            problem(key, "expected " + expected);
        }
        return fallback;
    }

    static Set<String> upperCase(List<String> values) {
        return values.stream().map(s -> s.toUpperCase(Locale.ROOT)).collect(Collectors.toSet());
    }
}
