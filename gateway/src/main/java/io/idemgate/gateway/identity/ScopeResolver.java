package io.idemgate.gateway.identity;

import java.util.List;
import java.util.function.Function;

/** Computes a request's scope from its headers, once per request, on the request's event loop. */
public interface ScopeResolver {

    /**
     * @param headerValues all values of a header, looked up case-insensitively; empty when absent
     * @return the scope at once, or {@link ScopeResult.Pending} when it needs work off the event loop
     */
    ScopeResult resolve(Function<String, List<String>> headerValues);
}
