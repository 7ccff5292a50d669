package io.idemgate.gateway.transport;

/**
 * Every pipeline the gateway builds, and the names of its handlers in pipeline order. The order is the
 * contract; each builder adds its handlers under these names and nothing else looks them up by string.
 */
public final class PipelineNames {

    private PipelineNames() {
    }

    /**
     * A client connection (server/ProxyChannelInitializer):
     * <ol>
     *   <li>{@link #IDLE} first, so it sees every read, including those of rejected input; it counts reads
     *       only, and {@link #RECEIVER} (which finds it by this name) restarts it when an answer is written.</li>
     *   <li>{@link #TLS} (HTTPS only) next: everything after it sees plaintext; {@link #TLS_HANDSHAKE} right
     *       behind it counts the handshake's result and leaves.</li>
     *   <li>{@link #PROTOCOL} picks HTTP/1.1 or HTTP/2 (by ALPN over TLS, by the connection preface with h2c),
     *       adds the steps below for it and removes itself. Without TLS and h2c it is not there.</li>
     *   <li>HTTP/1.1: {@link #REQUEST_TIMER} before the codec, to see the raw bytes of a request head arriving.
     *       {@link #CODEC} turns bytes into request parts and responses into bytes; it enforces the line and
     *       header size limits and rejects ambiguous framing (Content-Length with Transfer-Encoding).
     *       {@link #RECEIVER} last: it owns the exchange. Reading stays on (autoRead) unless the exchange or
     *       the parked pipelined requests ask it off for backpressure.</li>
     *   <li>HTTP/2: {@link #H2_HEADER_TIMER} before the codec, to see a header block's raw bytes arriving (its
     *       CONTINUATION frames included, which the codec holds until the block ends), {@link #H2_CODEC}
     *       (frames, flow control, SETTINGS and the abuse limits), {@link #H2_STREAMS} (one child channel per
     *       stream, built as {@link Http2Stream}), then {@link #H2_GUARD}, which sees the connection's errors,
     *       idleness and drain.</li>
     * </ol>
     */
    public static final class Client {
        public static final String IDLE = "idle";
        public static final String TLS = "tls";
        public static final String TLS_HANDSHAKE = "tls-handshake";
        public static final String PROTOCOL = "protocol";
        public static final String REQUEST_TIMER = "request-timer";
        public static final String CODEC = "codec";
        public static final String RECEIVER = "receiver";
        public static final String H2_HEADER_TIMER = "h2-header-timer";
        public static final String H2_CODEC = "h2-codec";
        public static final String H2_STREAMS = "h2-streams";
        public static final String H2_GUARD = "h2-guard";

        private Client() {
        }
    }

    /**
     * One HTTP/2 stream's child channel: {@link #END} first, to see the frames both ways and end a stream
     * whose response is complete before its request with RST_STREAM NO_ERROR; {@link #STALL_GUARD} ends a
     * stream whose window stays shut,
     * {@link #REQUEST_TIMER} sees the stream's frames arrive (the body clock),
     * {@link #CODEC} turns frames into the HTTP/1.1 parts the exchange knows (and back),
     * {@link #REQUEST} cleans the converted request (RFC 9113 §8.2.2, §8.3.1), {@link #RECEIVER} as on HTTP/1.1.
     */
    public static final class Http2Stream {
        public static final String END = "h2-stream-end";
        public static final String STALL_GUARD = "h2-stall-guard";
        public static final String REQUEST_TIMER = "request-timer";
        public static final String CODEC = "h2-to-http1";
        public static final String REQUEST = "h2-request";
        public static final String RECEIVER = "receiver";

        private Http2Stream() {
        }
    }

    /** The admin listener's connection (admin/AdminServer). */
    public static final class Admin {
        /** With {@code admin.tls}: first, so everything after it sees plaintext. */
        public static final String TLS = "admin-tls";
        /** HTTP/1.1 request decoder and response encoder. */
        public static final String CODEC = "admin-codec";
        /** After the codec so that it sees HTTP traffic in both directions; closes connections idle too long. */
        public static final String IDLE = "admin-idle";
        /** Admin bodies are small; whole requests let handlers stay simple. Oversized ones are answered 413 here. */
        public static final String AGGREGATOR = "admin-aggregator";
        /** Dispatches one whole request at a time to its endpoint. */
        public static final String HANDLER = "admin-handler";

        private Admin() {
        }
    }

    /** A pooled connection to an upstream (upstream/UpstreamChannelInitializer). */
    public static final class Upstream {
        /** Closes a pooled connection idle longer than {@code pool-idle-timeout}. */
        public static final String IDLE = "idle";
        /** For https origins: SNI, hostname verification, session resumption; the codec below sees plaintext. */
        public static final String TLS = "tls";
        /** HTTP/1.1 request encoder and response decoder, with the response size limits. */
        public static final String CODEC = "codec";
        /** Hands each response part to the exchange bound to the connection. */
        public static final String RECEIVER = "receiver";

        private Upstream() {
        }
    }
}
