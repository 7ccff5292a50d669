package io.idemgate.gateway.config;

/**
 * @param format console layout: readable text for people, JSON lines for log pipelines
 * @param accessLog whether one line per exchange is written to the {@code idemgate.access} logger
 */
public record LoggingConfig(Format format, boolean accessLog) {

    public enum Format { TEXT, JSON }
}
