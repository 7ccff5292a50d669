package io.idemgate.gateway.config;

/**
 * How route rules are reloaded without a restart ({@code POST /admin/reload} and {@code SIGHUP} always work).
 *
 * @param watchFile whether a change to the config file triggers a reload by itself
 */
public record ReloadConfig(boolean watchFile) {

    public static final ReloadConfig DEFAULTS = new ReloadConfig(true);
}
