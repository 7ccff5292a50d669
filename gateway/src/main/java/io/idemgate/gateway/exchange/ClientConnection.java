package io.idemgate.gateway.exchange;

/**
 * What an exchange may ask of the client connection it runs on: reading on and off, the connection's
 * fate after the answer, and passing the connection on. {@link ClientRequestReceiver} is the real one;
 * the exchanges' tests drive them on an {@code EmbeddedChannel} with their own. Event loop only.
 */
interface ClientConnection {

    /** Whether the connection closes after the current exchange (draining, bad input seen, idle or stalled). */
    boolean closing();

    /** Bad framing was seen: the decoder reads nothing more, so the connection closes after this answer. */
    void malformedInput();

    /** The client's IP address for the logs, or {@code "-"}. */
    String clientAddress();

    /** The client's protocol for the logs: {@code http/1.1}, or {@code h2} for a stream of an HTTP/2 connection. */
    default String protocol() {
        return "http/1.1";
    }

    /** {@code https} when the client came over TLS, else {@code http}: what {@code X-Forwarded-Proto} says. */
    default String scheme() {
        return "http";
    }

    /** The current exchange cannot take more of the request body now. */
    void pauseReading();

    void resumeReading();

    /** The exchange ended and its response was written; {@code keepAlive} says whether the connection stays. */
    void exchangeFinished(Exchange exchange, boolean keepAlive);

    /**
     * The current exchange passes the connection to its successor (a local answer, or the execution of
     * an idempotent request).
     *
     * @return true if {@code from} still owned the connection and {@code to} now does; false if the client
     *         left meanwhile, in which case {@code to} has been told {@link Exchange#onClientClosed}
     */
    boolean handOver(Exchange from, Exchange to);
}
