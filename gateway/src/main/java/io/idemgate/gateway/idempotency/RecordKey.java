package io.idemgate.gateway.idempotency;

import java.util.Objects;

/**
 * A record's identity: route name, scope hash and key. The store sees only {@link #storageId()}, a fixed
 * length hash, so no user input shapes a store key (no injection, no hash-tag games, bounded size).
 * Its {@code toString} shows the route and the key's hash, never the key.
 */
public record RecordKey(String route, String scopeHash, String key) {

    private static final String DOMAIN = "idemgate/record/v1";

    public RecordKey {
        Objects.requireNonNull(route, "route");
        Objects.requireNonNull(scopeHash, "scopeHash");
        Objects.requireNonNull(key, "key");
    }

    /** 64 lower-case hex characters: SHA-256 of the length-prefixed route, scope hash and key. */
    public String storageId() {
        return DigestEncoder.start(DOMAIN).string(route).string(scopeHash).string(key).hex();
    }

    /** For logs: the first 16 hex characters of the key's plain SHA-256 ({@code printf %s KEY | sha256sum}). */
    public String keyHash() {
        return keyHash(key);
    }

    static String keyHash(String key) {
        return DigestEncoder.sha256Hex(key).substring(0, 16);
    }

    @Override
    public String toString() {
        return "RecordKey[route=" + route + ", keyHash=" + keyHash() + "]";
    }
}
