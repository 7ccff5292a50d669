package io.idemgate.gateway.server;

/**
 * Handler names of a client connection's pipeline, in pipeline order. The order is the contract:
 * <ol>
 *   <li>{@link #IDLE} first, so it sees every read and write, including those of rejected input.</li>
 *   <li>{@link #REQUEST_TIMER} before the codec, to see the raw bytes of a request head arriving.</li>
 *   <li>{@link #CODEC} turns bytes into request parts and responses into bytes; it enforces the line and
 *       header size limits and rejects ambiguous framing (Content-Length with Transfer-Encoding).</li>
 *   <li>{@link #RECEIVER} last: it owns the exchange and is the only handler that reads from the socket,
 *       since autoRead is off.</li>
 * </ol>
 */
public final class PipelineNames {

    public static final String IDLE = "idle";
    public static final String REQUEST_TIMER = "request-timer";
    public static final String CODEC = "codec";
    public static final String RECEIVER = "receiver";

    private PipelineNames() {
    }
}
