package io.idemgate.gateway.config;

import java.nio.file.Path;

/**
 * A PEM certificate chain and its private key (PKCS#8), as a listener or a client presents them.
 *
 * @param keyPath the config path of the {@code tls} block, e.g. {@code idemgate.server.tls}: every message
 *                about these files names it, so an operator knows which block to fix
 */
public record TlsFiles(String keyPath, Path cert, Path key) {
}
