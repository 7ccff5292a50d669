package io.idemgate.gateway.store;

import java.net.URI;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The store could not be reached at start-up (Redis down, or not where the config says). One line for
 * the operator, with the address (never the password of the URI) and the setting to check;
 * {@code GatewayMain} prints it instead of a stack trace.
 */
public final class StoreStartException extends RuntimeException {

    StoreStartException(List<String> uris, Throwable cause) {
        super("cannot reach Redis at " + addresses(uris) + ": " + rootMessage(cause)
                + "; is it running? (idemgate.store.redis.uri; IDEMGATE_REDIS_URI in the shipped configs)", cause);
    }

    /** host:port of each URI: the userinfo (a password) stays out of logs. */
    static String addresses(List<String> uris) {
        return uris.stream().map(StoreStartException::address).collect(Collectors.joining(", "));
    }

    private static String address(String uri) {
        try {
            URI u = URI.create(uri.split(",")[0]);
            return u.getHost() == null ? "(" + u.getScheme() + " URI)" : u.getHost() + (u.getPort() > 0 ? ":" + u.getPort() : "");
        } catch (IllegalArgumentException e) {
            return "(unparsable URI)";
        }
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() != null ? root.getMessage() : root.toString();
    }
}
