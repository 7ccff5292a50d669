package io.idemgate.gateway.reload;

import java.util.List;

/**
 * The outcome of one reload.
 *
 * @param reloaded whether new route rules are in effect; false means the old ones still are
 * @param routes the number of route rules in effect afterwards
 * @param restartRequired keys that changed in the file but only take effect after a restart (kept as they were)
 * @param error why the reload was refused, free of secrets; null when {@code reloaded}
 */
public record ReloadResult(boolean reloaded, int routes, List<String> restartRequired, String error) {

    public ReloadResult {
        restartRequired = List.copyOf(restartRequired);
    }

    static ReloadResult success(int routes, List<String> restartRequired) {
        return new ReloadResult(true, routes, restartRequired, null);
    }

    static ReloadResult failure(int routesKept, String error) {
        return new ReloadResult(false, routesKept, List.of(), error);
    }
}
