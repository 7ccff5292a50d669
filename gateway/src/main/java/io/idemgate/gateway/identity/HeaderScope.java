package io.idemgate.gateway.identity;

import io.idemgate.gateway.config.IdempotencyConfig;
import io.idemgate.gateway.idempotency.ScopeHasher;
import java.util.List;
import java.util.function.Function;

/**
 * The scope is the hash of the values of {@code scope.headers}. A request carrying none of them would
 * share one scope with every other such client (and receive their stored responses), so unless the
 * route says {@code when-missing = shared} it is refused; {@code headers = []} is one scope by design.
 * A blank value counts as missing: every client sending {@code Authorization:} with nothing would
 * otherwise share one scope just the same.
 */
public final class HeaderScope implements ScopeResolver {

    private final List<String> headers;
    private final boolean rejectMissing;
    private final ScopeResult.Required required;

    public HeaderScope(IdempotencyConfig.Scope config) {
        this.headers = config.headers();
        this.rejectMissing = !config.anonymousShared();
        this.required = new ScopeResult.Required(headers);
    }

    @Override
    public ScopeResult resolve(Function<String, List<String>> headerValues) {
        if (rejectMissing && noneSent(headerValues)) {
            return required;
        }
        return new ScopeResult.Resolved(ScopeHasher.hash(headers, headerValues));
    }

    private boolean noneSent(Function<String, List<String>> headerValues) {
        for (String name : headers) {
            List<String> values = headerValues.apply(name);
            if (values == null) {
                continue;
            }
            for (String v : values) {
                if (!v.isBlank()) {
                    return false;
                }
            }
        }
        return true;
    }
}
