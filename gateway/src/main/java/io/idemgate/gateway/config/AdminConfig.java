package io.idemgate.gateway.config;

/**
 * The admin listener (metrics, health, records, reload).
 *
 * @param token bearer token for state-changing and data-revealing endpoints; empty means those endpoints answer 403
 * @param tls certificate and key to serve the admin API over HTTPS; null for cleartext
 */
public record AdminConfig(String host, int port, String token, TlsFiles tls) {

    public AdminConfig(String host, int port, String token) {
        this(host, port, token, null);
    }

    public boolean tokenConfigured() {
        return !token.isEmpty();
    }

    @Override
    public String toString() {
        // Never print the token, not even in --check-config output.
        return "AdminConfig[host=" + host + ", port=" + port + ", token=" + (tokenConfigured() ? "<set>" : "<none>")
                + ", tls=" + (tls == null ? "off" : tls.cert()) + "]";
    }
}
