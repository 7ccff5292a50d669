package io.idemgate.gateway.config;

import java.nio.file.Path;

/**
 * TLS towards a route's {@code https://} upstreams.
 *
 * @param ca extra trusted CA certificates (PEM), on top of the JVM trust store; null for none
 * @param clientCert the certificate and key presented for mutual TLS; null for none
 * @param verify false accepts any server certificate (warned about at start)
 */
public record UpstreamTlsConfig(String keyPath, Path ca, TlsFiles clientCert, boolean verify) {

    public static final UpstreamTlsConfig DEFAULT = new UpstreamTlsConfig("", null, null, true);
}
