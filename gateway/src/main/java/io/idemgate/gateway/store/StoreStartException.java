package io.idemgate.gateway.store;

import java.net.URI;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.stream.Collectors;
import javax.net.ssl.SSLException;

/**
 * The store could not be reached at start-up (Redis down, or not where the config says). One line for
 * the operator, with the address (never the password of the URI) and the setting to check;
 * {@code GatewayMain} prints it instead of a stack trace.
 */
public final class StoreStartException extends RuntimeException {

    StoreStartException(List<String> uris, Throwable cause) {
        super("cannot reach Redis at " + addresses(uris) + ": " + rootMessage(cause) + "; " + hint(cause)
                + " (idemgate.store.redis.uri; IDEMGATE_REDIS_URI in the shipped configs)", cause);
    }

    /** What to check: "is it running?" misleads when Redis answered and refused the password or the certificate. */
    private static String hint(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String message = String.valueOf(t.getMessage());
            if (message.contains("WRONGPASS") || message.contains("NOAUTH")) {
                return "check the user and password in the URI (redis://user:password@host:port)";
            }
            if (t instanceof SSLException || t instanceof GeneralSecurityException) { // certificate ones included
                return "check rediss:// against Redis's TLS port, and that this JVM trusts its certificate"
                        + " (-Djavax.net.ssl.trustStore for a private CA)";
            }
        }
        return "is it running?";
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
