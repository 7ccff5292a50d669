package io.idemgate.gateway.server;

/**
 * Handler names of a client connection's pipeline, in pipeline order. The order is the contract:
 * <ol>
 *   <li>{@link #IDLE} first, so it sees every read and write, including those of rejected input.</li>
 *   <li>{@link #TLS} (HTTPS only) next: everything after it sees plaintext; {@link #TLS_HANDSHAKE} right
 *       behind it counts the handshake's result.</li>
 *   <li>{@link #PROTOCOL} picks HTTP/1.1 or HTTP/2 (by ALPN over TLS, by the connection preface with h2c),
 *       adds the steps below for it and removes itself. Without TLS and h2c it is not there.</li>
 *   <li>HTTP/1.1: {@link #REQUEST_TIMER} before the codec, to see the raw bytes of a request head arriving;
 *       {@link #CODEC} turns bytes into request parts and responses into bytes; it enforces the line and
 *       header size limits and rejects ambiguous framing (Content-Length with Transfer-Encoding);
 *       {@link #RECEIVER} last: it owns the exchange and switches reading off and on for backpressure.</li>
 *   <li>HTTP/2: {@link #H2_CODEC} (frames, flow control, SETTINGS and the abuse limits), {@link #H2_STREAMS}
 *       (one child channel per stream, whose own pipeline is {@link #H2_TO_HTTP1}, {@link #H2_REQUEST},
 *       {@link #RECEIVER}), then {@link #H2_GUARD}, which sees the connection's errors, idleness and drain.</li>
 * </ol>
 */
public final class PipelineNames {

    public static final String IDLE = "idle";
    public static final String TLS = "tls";
    public static final String TLS_HANDSHAKE = "tls-handshake";
    public static final String PROTOCOL = "protocol";
    public static final String REQUEST_TIMER = "request-timer";
    public static final String CODEC = "codec";
    public static final String RECEIVER = "receiver";
    public static final String H2_CODEC = "h2-codec";
    public static final String H2_STREAMS = "h2-streams";
    public static final String H2_GUARD = "h2-guard";
    /** Stream pipeline: HTTP/2 frames to and from HTTP/1.1 message parts. */
    public static final String H2_TO_HTTP1 = "h2-to-http1";
    /** Stream pipeline: RFC 9113 §8.2.2 / §8.3.1 clean-up of the converted request. */
    public static final String H2_REQUEST = "h2-request";

    private PipelineNames() {
    }
}
