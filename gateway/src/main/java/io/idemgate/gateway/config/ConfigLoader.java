package io.idemgate.gateway.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Loads the gateway configuration: the user's HOCON file, overlaid by system properties
 * ({@code -Didemgate.server.port=...}), over the jar's {@code reference.conf}; resolved (so
 * {@code ${?ENV}} substitutions apply), validated and turned into immutable records.
 * Every failure is a {@link ConfigLoadException}. Stateless and thread-safe.
 */
public final class ConfigLoader {

    private ConfigLoader() {
    }

    /** @throws ConfigLoadException when the file is missing, unreadable, malformed or invalid */
    public static GatewayConfig load(Path file) {
        String origin = file.toString();
        if (!Files.isRegularFile(file)) {
            throw new ConfigLoadException(origin, "config file not found: " + file.toAbsolutePath(), null);
        }
        if (!Files.isReadable(file)) {
            throw new ConfigLoadException(origin, "config file is not readable: " + file.toAbsolutePath(), null);
        }
        return build(() -> ConfigFactory.parseFile(file.toFile(), options(null)), origin);
    }

    /** Same as {@link #load} from HOCON text; {@code originDescription} stands in for the file name in messages. */
    public static GatewayConfig parse(String hocon, String originDescription) {
        return build(() -> ConfigFactory.parseString(hocon, options(originDescription)), originDescription);
    }

    private static ConfigParseOptions options(String origin) {
        // Force HOCON whatever the file is called; a missing file was reported above. Files keep
        // Typesafe's own origin (their path), which also records the file name for each value.
        return ConfigParseOptions.defaults()
                .setOriginDescription(origin)
                .setSyntax(ConfigSyntax.CONF)
                .setAllowMissing(false);
    }

    private interface Source {
        Config parse();
    }

    private static GatewayConfig build(Source source, String origin) {
        Config reference = ConfigFactory.defaultReference();
        Config resolved;
        try {
            resolved = ConfigFactory.defaultOverrides()
                    .withFallback(source.parse())
                    .withFallback(reference)
                    .resolve();
        } catch (ConfigException e) {
            // Syntax errors and unresolvable substitutions: Typesafe's message already names file and line.
            throw new ConfigLoadException(origin, e.getMessage(), e);
        }
        try {
            return new GatewayConfigParser(resolved, reference).parse(origin);
        } catch (ConfigException e) {
            // A read the parsers did not anticipate; still report it in the same format.
            throw new ConfigLoadException(origin, e.getMessage(), e);
        }
    }
}
