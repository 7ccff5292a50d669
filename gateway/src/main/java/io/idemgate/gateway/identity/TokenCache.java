package io.idemgate.gateway.identity;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Tokens already verified, with the scope they gave, until they expire (exp plus leeway): a client
 * sends the same token with every request, and verifying it again costs up to a millisecond (ES256).
 * Only valid tokens are kept, so a forger cannot fill it with anything that outlives its signature
 * check. Bounded: when full, expired entries go, and if none had expired, all of them (a refill costs
 * one verification per client).
 */
final class TokenCache {

    record Entry(String scopeHash, long expiresAtMillis) {
    }

    private final int maxEntries;
    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();

    TokenCache(int maxEntries) {
        this.maxEntries = maxEntries;
    }

    /** @return the scope hash of a still-valid verified token, or null */
    String get(String token, long nowMillis) {
        Entry e = entries.get(token);
        if (e == null) {
            return null;
        }
        if (nowMillis > e.expiresAtMillis()) {
            entries.remove(token, e);
            return null;
        }
        return e.scopeHash();
    }

    void put(String token, String scopeHash, long expiresAtMillis, long nowMillis) {
        if (entries.size() >= maxEntries) {
            entries.values().removeIf(e -> nowMillis > e.expiresAtMillis());
            if (entries.size() >= maxEntries) {
                entries.clear();
            }
        }
        entries.put(token, new Entry(scopeHash, expiresAtMillis));
    }

    int size() {
        return entries.size();
    }
}
