package io.idemgate.gateway.config;

/**
 * The admin listener (metrics, health, records, reload).
 *
 * @param token bearer token for state-changing and data-revealing endpoints; empty means those endpoints answer 403
 */
public record AdminConfig(String host, int port, String token) {

    public boolean tokenConfigured() {
        return !token.isEmpty();
    }

    @Override
    public String toString() {
        // Never print the token, not even in --check-config output.
        return "AdminConfig[host=" + host + ", port=" + port + ", token=" + (tokenConfigured() ? "<set>" : "<none>") + "]";
    }
}
