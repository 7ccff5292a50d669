package io.idemgate.gateway.upstream;

/** No connection could be had: nothing was sent, so the request did not reach the upstream. */
public final class UpstreamUnavailableException extends Exception {

    /** Why no connection was had: the origin refused or timed out, or our own limit was reached. */
    public enum Reason { CONNECT_FAILED, POOL_EXHAUSTED }

    private final Reason reason;

    public UpstreamUnavailableException(Reason reason, String message, Throwable cause) {
        super(message, cause, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
