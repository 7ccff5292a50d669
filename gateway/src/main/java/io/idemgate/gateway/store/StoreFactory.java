package io.idemgate.gateway.store;

import io.idemgate.gateway.config.StoreConfig;
import io.idemgate.gateway.store.memory.MemoryIdempotencyStore;

/** Builds the configured store. */
public final class StoreFactory {

    private StoreFactory() {
    }

    public static IdempotencyStore create(StoreConfig config) {
        return switch (config.type()) {
            case MEMORY -> new MemoryIdempotencyStore(config.memory().maxEntries());
            case REDIS -> throw new IllegalStateException(
                    "idemgate.store.type = redis is not available in this build yet; use memory (the default)");
        };
    }
}
