package io.idemgate.loadtest.load;

/**
 * One request the generator planned: its key, when the arrival rate meant it to be sent, and, once
 * sent, when it was. Confined to the generator's event loop.
 */
final class PlannedRequest {

    final KeyBook.KeyState key;
    final long intendedNanos;
    long sentNanos;
    /** Wall-clock send time, taken only when a history is written (an {@code Instant} per request otherwise). */
    long sentMicros;
    boolean otherInFlight;

    PlannedRequest(KeyBook.KeyState key, long intendedNanos) {
        this.key = key;
        this.intendedNanos = intendedNanos;
    }
}
