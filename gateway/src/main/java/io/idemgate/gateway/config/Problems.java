package io.idemgate.gateway.config;

import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Collects configuration problems in a fixed format: {@code origin: key.path: what (got value)}. Not thread-safe. */
final class Problems {

    private static final int MAX_VALUE_CHARS = 120;

    private final List<String> lines = new ArrayList<>();
    private final Set<String> seen = new HashSet<>();

    /**
     * Records one problem. A bad value in {@code idemgate.defaults} is read again for every route it is
     * merged into; it is reported once, at the first path it was read under.
     */
    void add(ConfigOrigin origin, String path, String what, ConfigValue badValue) {
        String where = origin == null ? "" : origin.description();
        if (!seen.add(where + '\0' + what + '\0' + (badValue == null ? path : render(badValue)))) {
            return;
        }
        StringBuilder line = new StringBuilder();
        line.append(origin == null ? "(unknown origin)" : origin.description()).append(": ");
        line.append(path).append(": ").append(what);
        if (badValue != null) {
            line.append(" (got ").append(render(badValue)).append(')');
        }
        lines.add(line.toString());
    }

    boolean isEmpty() {
        return lines.isEmpty();
    }

    void throwIfAny(String origin) {
        if (!lines.isEmpty()) {
            throw new ConfigLoadException(origin, lines);
        }
    }

    private static String render(ConfigValue value) {
        String text = value.render(ConfigRenderOptions.concise());
        // A whole object pasted into a message helps nobody; the origin line points at it.
        return text.length() <= MAX_VALUE_CHARS ? text : text.substring(0, MAX_VALUE_CHARS) + "...";
    }
}
