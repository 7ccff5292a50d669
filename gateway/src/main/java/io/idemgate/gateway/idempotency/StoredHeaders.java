package io.idemgate.gateway.idempotency;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which upstream response headers a stored record keeps for its replays ({@code idempotency.replay}).
 * By default every end-to-end header, in order, duplicates included. {@code exclude-headers} drops
 * some. On a route where clients can share a scope ({@code scope.headers = []} or
 * {@code when-missing = shared}) a replay may reach another client than the one the response was
 * made for, so headers that carry a credential or a session are never stored there: a replayed
 * {@code Set-Cookie} would log that other client in as the first.
 */
public final class StoredHeaders {

    /** Response headers that hand the client a credential or a session. */
    public static final List<String> CREDENTIAL_HEADERS = List.of("set-cookie", "set-cookie2", "authentication-info",
            "proxy-authentication-info", "authorization", "proxy-authorization");

    private final Set<String> excluded;

    /**
     * @param excludeHeaders the configured names, any case
     * @param sharedScope whether the route lets clients share a scope
     */
    public StoredHeaders(List<String> excludeHeaders, boolean sharedScope) {
        Set<String> names = new HashSet<>();
        for (String h : excludeHeaders) {
            names.add(h.toLowerCase(Locale.ROOT));
        }
        if (sharedScope) {
            names.addAll(CREDENTIAL_HEADERS);
        }
        this.excluded = Set.copyOf(names);
    }

    /** @param name a response header name, any case */
    public boolean keeps(String name) {
        return excluded.isEmpty() || !excluded.contains(name.toLowerCase(Locale.ROOT));
    }
}
