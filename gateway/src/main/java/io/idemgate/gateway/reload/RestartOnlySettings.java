package io.idemgate.gateway.reload;

import io.idemgate.gateway.config.GatewayConfig;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Finds the settings a reload cannot apply: everything but the route rules (listeners are bound, the store is
 * connected, logging is configured). Walks the config records by reflection so a field added to a section later
 * is covered without touching this class.
 */
final class RestartOnlySettings {

    /** What a reload does apply; {@code idemgate.defaults} is already merged into each route. */
    private static final Set<String> RELOADABLE = Set.of("routes", "origin");
    /** Record components whose HOCON key is spelled differently. */
    private static final Map<String, String> KEY_NAMES = Map.of("uris", "uri");

    private RestartOnlySettings() {
    }

    /** @return the full key paths whose values differ, e.g. {@code idemgate.admin.port}, in declaration order */
    static List<String> changed(GatewayConfig running, GatewayConfig next) {
        List<String> keys = new ArrayList<>();
        for (RecordComponent c : GatewayConfig.class.getRecordComponents()) {
            if (!RELOADABLE.contains(c.getName())) {
                diff("idemgate." + key(c), value(c, running), value(c, next), keys);
            }
        }
        return keys;
    }

    private static void diff(String path, Object a, Object b, List<String> out) {
        if (Objects.equals(a, b)) {
            return;
        }
        if (a != null && b != null && a.getClass().isRecord() && a.getClass() == b.getClass()) {
            for (RecordComponent c : a.getClass().getRecordComponents()) {
                diff(path + "." + key(c), value(c, a), value(c, b), out);
            }
        } else {
            out.add(path);
        }
    }

    /** {@code maxInitialLineLength} → {@code max-initial-line-length}. */
    private static String key(RecordComponent c) {
        String name = KEY_NAMES.getOrDefault(c.getName(), c.getName());
        return name.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
    }

    private static Object value(RecordComponent c, Object record) {
        try {
            return c.getAccessor().invoke(record);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read " + c, e);
        }
    }
}
