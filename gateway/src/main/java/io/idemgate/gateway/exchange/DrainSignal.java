package io.idemgate.gateway.exchange;

/**
 * Shutdown's view of the exchanges. Set once when the gateway starts draining: from then on no
 * connection is kept alive, so each client connection closes as soon as its exchange ends. It also
 * counts running upstream exchanges, including idempotent executions whose client has gone, so that
 * shutdown can wait for their records to be settled.
 */
public final class DrainSignal {

    private volatile boolean draining;
    private int active;

    public void start() {
        draining = true;
    }

    public boolean draining() {
        return draining;
    }

    synchronized void exchangeStarted() {
        active++;
    }

    synchronized void exchangeEnded() {
        if (--active == 0) {
            notifyAll();
        }
    }

    /** Waits, off the event loops, until no exchange runs or {@code millis} pass. @return true if none runs */
    public synchronized boolean awaitIdle(long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        while (active > 0) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                return false;
            }
            wait(left);
        }
        return true;
    }
}
