package io.idemgate.gateway.logging;

/**
 * The fields of one access line, captured on the event loop and formatted later by the writer thread:
 * the event loop pays for this small object and a queue offer, nothing else.
 *
 * @param upstreamNanos time to the upstream's response head, or -1 when there was none
 * @param keyHash keyed hash of the idempotency key, or null outside the engine
 * @param fence the executing attempt's fencing number, or 0
 * @param protocol the client's protocol: {@code http/1.1} or {@code h2}
 */
record AccessRecord(long epochMillis, String thread, String route, String method, String path, int status,
                    String outcome, long upstreamNanos, long totalNanos, String client, String keyHash, long fence,
                    String protocol) {
}
