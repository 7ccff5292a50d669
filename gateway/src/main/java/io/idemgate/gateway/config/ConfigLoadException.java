package io.idemgate.gateway.config;

import java.util.List;

/**
 * The configuration cannot be used. The message lists every problem found, one per line, each naming
 * the origin (file and line), the full key path, what is wrong and the offending value, so an operator
 * fixes the whole file in one pass instead of one restart per typo.
 */
public final class ConfigLoadException extends RuntimeException {

    private final List<String> problems;

    ConfigLoadException(String origin, List<String> problems) {
        super(header(origin, problems.size()) + "\n  " + String.join("\n  ", problems));
        this.problems = List.copyOf(problems);
    }

    /** Wraps a failure that stops loading outright (missing file, HOCON syntax, unresolved substitution). */
    ConfigLoadException(String origin, String problem, Throwable cause) {
        super(header(origin, 1) + "\n  " + problem, cause);
        this.problems = List.of(problem);
    }

    /** Each problem as one line, in the order found. */
    public List<String> problems() {
        return problems;
    }

    private static String header(String origin, int count) {
        return "Invalid configuration " + origin + " (" + count + (count == 1 ? " problem)" : " problems)") + ":";
    }
}
