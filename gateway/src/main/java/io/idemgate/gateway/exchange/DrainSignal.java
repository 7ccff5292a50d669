package io.idemgate.gateway.exchange;

/**
 * Set once when the gateway starts shutting down: from then on no connection is kept alive, so each
 * client connection closes as soon as its exchange ends.
 */
public final class DrainSignal {

    private volatile boolean draining;

    public void start() {
        draining = true;
    }

    public boolean draining() {
        return draining;
    }
}
