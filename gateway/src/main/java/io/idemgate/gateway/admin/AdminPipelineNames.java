package io.idemgate.gateway.admin;

/** The admin connection's handler names, in pipeline order. */
public final class AdminPipelineNames {

    /** With {@code admin.tls}: first, so everything after it sees plaintext. */
    public static final String TLS = "admin-tls";

    /** HTTP/1.1 request decoder and response encoder. */
    public static final String CODEC = "admin-codec";
    /** After the codec so that it sees HTTP traffic in both directions; closes connections idle too long. */
    public static final String IDLE = "admin-idle";
    /** Admin bodies are small; whole requests let handlers stay simple. Oversized ones are answered 413 here. */
    public static final String AGGREGATOR = "admin-aggregator";
    /** Dispatches one whole request at a time to its {@link AdminEndpoints} entry. */
    public static final String HANDLER = "admin-handler";

    private AdminPipelineNames() {
    }
}
