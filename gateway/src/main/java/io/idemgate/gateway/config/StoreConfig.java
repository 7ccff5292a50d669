package io.idemgate.gateway.config;

import java.time.Duration;
import java.util.List;

/** Where idempotency records live. */
public record StoreConfig(Type type, Memory memory, Redis redis) {

    public enum Type { MEMORY, REDIS }

    /** The embedded single-instance store. */
    public record Memory(int maxEntries) {
    }

    /** A shared Redis (standalone, Sentinel or Cluster). */
    public record Redis(List<String> uris, Mode mode, String keyPrefix, Duration commandTimeout) {

        public enum Mode { STANDALONE, SENTINEL, CLUSTER }

        public Redis {
            uris = List.copyOf(uris);
        }
    }
}
