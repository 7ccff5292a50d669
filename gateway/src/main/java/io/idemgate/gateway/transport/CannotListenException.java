package io.idemgate.gateway.transport;

/**
 * A listener could not bind: the port is taken, or the host is not an address of this machine. The
 * message is one line for the operator, naming the address, the reason, and the setting that moves it;
 * {@code GatewayMain} prints it instead of a stack trace.
 */
public final class CannotListenException extends RuntimeException {

    /**
     * @param listener what failed to listen, e.g. "proxy"
     * @param configKey the config key prefix that sets its address, e.g. "idemgate.server"
     * @param envPrefix the environment variables' prefix, e.g. "IDEMGATE_" (then HOST and PORT)
     */
    public CannotListenException(String listener, String host, int port, String configKey, String envPrefix,
                                 Throwable cause) {
        super("cannot listen on " + host + ":" + port + " (" + listener + "): " + reason(cause) + "; set "
                + configKey + ".port / .host (or " + envPrefix + "PORT / " + envPrefix + "HOST)", cause);
    }

    /** Netty's native transport words it "bind(..) failed with error(-98): Address already in use". */
    private static String reason(Throwable cause) {
        String m = cause == null || cause.getMessage() == null ? String.valueOf(cause) : cause.getMessage();
        int colon = m.lastIndexOf("): ");
        return colon >= 0 && m.startsWith("bind(") ? m.substring(colon + 3) : m;
    }
}
