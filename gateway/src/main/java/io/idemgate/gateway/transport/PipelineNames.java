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
     *   <li>{@link #IDLE} first, so it sees every read and write, including those of rejected input.</li>
     *   <li>{@link #REQUEST_TIMER} before the codec, to see the raw bytes of a request head arriving.</li>
     *   <li>{@link #CODEC} turns bytes into request parts and responses into bytes; it enforces the line and
     *       header size limits and rejects ambiguous framing (Content-Length with Transfer-Encoding).</li>
     *   <li>{@link #RECEIVER} last: it owns the exchange. Reading stays on (autoRead) unless the exchange or
     *       the parked pipelined requests ask it off for backpressure.</li>
     * </ol>
     */
    public static final class Client {
        public static final String IDLE = "idle";
        public static final String REQUEST_TIMER = "request-timer";
        public static final String CODEC = "codec";
        public static final String RECEIVER = "receiver";

        private Client() {
        }
    }

    /** The admin listener's connection (admin/AdminServer). */
    public static final class Admin {
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
        /** HTTP/1.1 request encoder and response decoder, with the response size limits. */
        public static final String CODEC = "codec";
        /** Hands each response part to the exchange bound to the connection. */
        public static final String RECEIVER = "receiver";

        private Upstream() {
        }
    }
}
