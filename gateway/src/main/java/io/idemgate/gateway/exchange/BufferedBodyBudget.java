package io.idemgate.gateway.exchange;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes of request bodies the gateway holds for fingerprinting, across every connection, bounded by
 * {@code server.max-buffered-request-bytes}: many clients each sending a body just under the route's
 * limit, slowly, must meet a 503 before the heap meets them. Thread-safe (lock-free); shared by all loops.
 */
public final class BufferedBodyBudget {

    private final long limit;
    private final AtomicLong used = new AtomicLong();

    public BufferedBodyBudget(long limit) {
        this.limit = limit;
    }

    /** A reservation that starts empty and grows as a body arrives; released once, whatever happens. */
    Reservation open() {
        return new Reservation();
    }

    public long used() {
        return used.get();
    }

    public long limit() {
        return limit;
    }

    private boolean tryTake(long n) {
        long u;
        do {
            u = used.get();
            if (u + n > limit) {
                return false;
            }
        } while (!used.compareAndSet(u, u + n));
        return true;
    }

    /** One body's share of the budget. Event loop of its exchange only. */
    final class Reservation {

        private long bytes;
        private boolean released;

        /** Makes the reservation at least {@code total} bytes. @return false if the budget cannot cover it */
        boolean growTo(long total) {
            if (released) {
                return false;
            }
            long more = total - bytes;
            if (more <= 0) {
                return true;
            }
            if (!tryTake(more)) {
                return false;
            }
            bytes = total;
            return true;
        }

        void release() {
            if (!released) {
                released = true;
                used.addAndGet(-bytes);
                bytes = 0;
            }
        }
    }
}
