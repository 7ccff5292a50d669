package io.idemgate.gateway.idempotency;

import java.util.Objects;

/**
 * A record's identity: route name, scope hash and key. The store sees only {@link #storageId()}, a fixed
 * length hash, so no user input shapes a store key (no injection, no hash-tag games, bounded size).
 * Logs see only {@link #keyHash()}, a keyed hash ({@link KeyHasher}); its {@code toString} shows the
 * route and that hash, never the key.
 *
 * @param keyHash the key under the process's {@link KeyHasher}, for logs and the admin API
 */
public record RecordKey(String route, String scopeHash, String key, String keyHash) {

    private static final String DOMAIN = "idemgate/record/v1";

    public RecordKey {
        Objects.requireNonNull(route, "route");
        Objects.requireNonNull(scopeHash, "scopeHash");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(keyHash, "keyHash");
    }

    /**
     * The one rule that names a record, for the engine and the admin API alike.
     *
     * @param key the client's key, or null when the route derives it from the payload ({@code mode = fingerprint})
     * @param fingerprint the request's fingerprint; used only when {@code key} is null
     */
    public static RecordKey of(String route, String scopeHash, String key, String fingerprint, KeyHasher hasher) {
        String k = key != null ? key : "fp:" + Objects.requireNonNull(fingerprint, "fingerprint");
        return new RecordKey(route, scopeHash, k, hasher.hash(k));
    }

    /** 64 lower-case hex characters: SHA-256 of the length-prefixed route, scope hash and key. */
    public String storageId() {
        return DigestEncoder.start(DOMAIN).string(route).string(scopeHash).string(key).hex();
    }

    @Override
    public String toString() {
        return "RecordKey[route=" + route + ", keyHash=" + keyHash + "]";
    }
}
