package io.idemgate.gateway.config;

import java.time.Duration;

/**
 * The client-facing proxy listener.
 *
 * @param ioThreads event loop threads; 0 means one per available processor
 * @param maxInitialLineLength longest request line accepted (longer: 414)
 * @param maxHeaderSize total size of the request headers accepted (larger: 431)
 * @param maxChunkSize largest body piece handed on at once; bounds per-read memory
 * @param requestHeaderTimeout a request head must arrive whole this long after its first byte
 * @param requestBodyTimeout a request body may receive nothing this long before the exchange ends
 * @param maxBufferedRequestBytes request bodies held for fingerprinting, all connections together
 * @param tls certificate and key to serve HTTPS with (h2 and http/1.1 by ALPN); null for cleartext
 * @param h2c accept HTTP/2 with prior knowledge on cleartext (told apart from HTTP/1.1 by its preface)
 * @param warmUp how long the process drives traffic through a private copy of itself before it binds its
 *     port, so the JIT has compiled the request path when the first client arrives; zero = no warm-up
 */
public record ServerConfig(
        String host,
        int port,
        int ioThreads,
        Duration idleTimeout,
        int maxInitialLineLength,
        int maxHeaderSize,
        int maxChunkSize,
        Duration shutdownGrace,
        String viaName,
        Duration requestHeaderTimeout,
        Duration requestBodyTimeout,
        long maxBufferedRequestBytes,
        TlsFiles tls,
        boolean h2c,
        Http2Config http2,
        Duration warmUp) {

    /** The longest warm-up accepted: it delays every start by that much. */
    public static final Duration MAX_WARM_UP = Duration.ofSeconds(60);

    /** Without a warm-up (tools and tests that build the record by hand). */
    public ServerConfig(String host, int port, int ioThreads, Duration idleTimeout, int maxInitialLineLength,
                        int maxHeaderSize, int maxChunkSize, Duration shutdownGrace, String viaName,
                        Duration requestHeaderTimeout, Duration requestBodyTimeout, long maxBufferedRequestBytes,
                        TlsFiles tls, boolean h2c, Http2Config http2) {
        this(host, port, ioThreads, idleTimeout, maxInitialLineLength, maxHeaderSize, maxChunkSize, shutdownGrace,
                viaName, requestHeaderTimeout, requestBodyTimeout, maxBufferedRequestBytes, tls, h2c, http2,
                Duration.ZERO);
    }
}
