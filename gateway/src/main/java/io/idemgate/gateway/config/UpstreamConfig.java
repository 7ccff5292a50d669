package io.idemgate.gateway.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * @param urls {@code http://host:port} or {@code https://host:port} origins, used round-robin
 * @param responseTimeout longest wait for the upstream's response to start, and between its body pieces
 * @param maxConnections connection limit to each url (shared by all event loops)
 * @param maxPendingAcquires requests allowed to queue for a connection when the limit is reached (more: 503)
 * @param poolIdleTimeout an idle pooled connection is closed after this long
 * @param tls how {@code https://} urls are verified, and the client certificate for mutual TLS
 */
public record UpstreamConfig(
        List<URI> urls,
        Duration connectTimeout,
        Duration responseTimeout,
        int maxConnections,
        int maxPendingAcquires,
        Duration poolIdleTimeout,
        UpstreamTlsConfig tls) {

    public UpstreamConfig {
        urls = List.copyOf(urls);
    }

    /** Plain-HTTP upstreams, or https ones verified against the JVM trust store only. */
    public UpstreamConfig(List<URI> urls, Duration connectTimeout, Duration responseTimeout, int maxConnections,
                          int maxPendingAcquires, Duration poolIdleTimeout) {
        this(urls, connectTimeout, responseTimeout, maxConnections, maxPendingAcquires, poolIdleTimeout,
                UpstreamTlsConfig.DEFAULT);
    }
}
