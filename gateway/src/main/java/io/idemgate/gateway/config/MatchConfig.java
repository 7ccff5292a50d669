package io.idemgate.gateway.config;

import java.util.Optional;
import java.util.Set;

/**
 * @param host exact host (case-insensitive, port ignored); empty matches any host
 * @param path path glob: {@code *} matches one segment, {@code **} any number of segments
 * @param methods upper-case method names; empty matches every method
 */
public record MatchConfig(Optional<String> host, String path, Set<String> methods) {

    public MatchConfig {
        methods = Set.copyOf(methods);
    }
}
