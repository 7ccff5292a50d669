package io.idemgate.gateway.config;

/**
 * @param format console layout: readable text for people, JSON lines for log pipelines
 * @param accessLog whether one line per exchange is written to the {@code idemgate.access} logger
 * @param keyHashSecret the secret of the keyed hash logs show instead of idempotency keys; empty = random per process
 */
public record LoggingConfig(Format format, boolean accessLog, String keyHashSecret) {

    public enum Format { TEXT, JSON }

    @Override
    public String toString() {
        // The secret would let whoever reads the output recover guessable keys from logs.
        return "LoggingConfig[format=" + format + ", accessLog=" + accessLog + ", keyHashSecret="
                + (keyHashSecret.isEmpty() ? "<random>" : "<set>") + "]";
    }
}
