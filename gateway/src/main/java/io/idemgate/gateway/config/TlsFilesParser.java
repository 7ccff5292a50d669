package io.idemgate.gateway.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * Reads a {@code tls { cert = "", key = "" }} block: both empty is "no TLS", one without the other is a
 * mistake. The files' contents are checked when the TLS context is built (at start and by --check-config),
 * since they may change while the config stays the same.
 */
final class TlsFilesParser {

    private TlsFilesParser() {
    }

    /** @return the files, or null when neither {@code cert} nor {@code key} is set */
    static TlsFiles optional(ConfigReader r) {
        String cert = r.string("cert").trim();
        String key = r.string("key").trim();
        if (cert.isEmpty() && key.isEmpty()) {
            return null;
        }
        if (cert.isEmpty() || key.isEmpty()) {
            r.problem(cert.isEmpty() ? "cert" : "key", "must be set together with "
                    + (cert.isEmpty() ? "key" : "cert") + ": a PEM certificate chain and its private key");
            return null;
        }
        return new TlsFiles(r.path(), path(r, "cert", cert), path(r, "key", key));
    }

    static Path path(ConfigReader r, String key, String value) {
        try {
            return Path.of(value);
        } catch (InvalidPathException e) {
            r.problem(key, "is not a file path: " + e.getReason());
            return Path.of("");
        }
    }
}
