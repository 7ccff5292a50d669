package io.idemgate.gateway.reload;

import io.idemgate.gateway.config.GatewayConfig;
import io.idemgate.gateway.config.RouteConfig;
import io.idemgate.gateway.config.StoreConfig;
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
 *
 * <p>{@code fenceRetention} is derived from the routes' longest {@code ttl}, not a key: a reload that raises a
 * route's {@code ttl} above the retention a Redis store started with names that route's {@code ttl} instead.
 * The new {@code ttl} applies to records at once; only the fence tombstones keep the old retention until a
 * restart. A shorter one never needs a restart (a longer retention than needed costs only memory), and the
 * memory store keeps no tombstones.
 */
final class RestartOnlySettings {

    /** What a reload does apply; {@code idemgate.defaults} is already merged into each route. */
    private static final Set<String> RELOADABLE = Set.of("routes", "origin");
    /** Record components whose HOCON key is spelled differently. */
    private static final Map<String, String> KEY_NAMES = Map.of("uris", "uri");
    /** Derived from the routes, not a key: reported as the route {@code ttl}s that outgrow it. */
    private static final String FENCE_RETENTION = "idemgate.store.fence-retention";

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
        keys.remove(FENCE_RETENTION);
        keys.addAll(ttlsBeyondFenceRetention(running, next));
        return keys;
    }

    /**
     * @return {@code idemgate.routes[i].idempotency.ttl} of each route in {@code next} whose {@code ttl} is longer
     *     than the fence retention the running Redis store keeps tombstones for
     */
    static List<String> ttlsBeyondFenceRetention(GatewayConfig running, GatewayConfig next) {
        List<String> keys = new ArrayList<>();
        if (running.store().type() != StoreConfig.Type.REDIS) {
            return keys;
        }
        List<RouteConfig> routes = next.routes();
        for (int i = 0; i < routes.size(); i++) {
            RouteConfig route = routes.get(i);
            if (route.idempotency() != null && route.idempotency().ttl() != null
                    && route.idempotency().ttl().compareTo(running.store().fenceRetention()) > 0) {
                keys.add("idemgate.routes[" + i + "].idempotency.ttl");
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
