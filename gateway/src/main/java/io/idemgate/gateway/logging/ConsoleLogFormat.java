package io.idemgate.gateway.logging;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import ch.qos.logback.core.joran.spi.JoranException;
import io.idemgate.gateway.config.LoggingConfig;
import java.util.Locale;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * Puts the configured console layout ({@code idemgate.logging.format}: the config file, or
 * {@code IDEMGATE_LOG_FORMAT}, or {@code -Didemgate.logging.format}) into effect for logback, whose
 * {@code logback.xml} picks its layout from the system property {@link #PROPERTY}.
 *
 * <p>logback reads that property once, when the first logger is created, and any library class with
 * a static logger creates one (Netty's leak detector did, before this class existed, so JSON never
 * switched on). So {@link #apply} sets the property and, if logback was already configured with the
 * other layout, configures it again. The access log writes the same layout from the same setting.
 */
public final class ConsoleLogFormat {

    /** The system property logback.xml reads; set only here. */
    static final String PROPERTY = "idemgate.log.format";
    /** The context property logback.xml records the layout it chose in. */
    static final String CHOSEN = "idemgate.log.format.chosen";

    private ConsoleLogFormat() {
    }

    /** Makes the console (and the access log) use {@code format}; call before the gateway starts. */
    public static void apply(LoggingConfig.Format format) {
        String name = name(format);
        System.setProperty(PROPERTY, name);
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        if (factory instanceof LoggerContext context && !name.equals(context.getProperty(CHOSEN))) {
            reconfigure(context);
        }
    }

    /** The layout logback is using now: "text", "json", or null if logback is not configured by logback.xml. */
    public static String inEffect() {
        return LoggerFactory.getILoggerFactory() instanceof LoggerContext context ? context.getProperty(CHOSEN) : null;
    }

    static String name(LoggingConfig.Format format) {
        return format.name().toLowerCase(Locale.ROOT);
    }

    private static void reconfigure(LoggerContext context) {
        if (context.getProperty(CHOSEN) == null) {
            return; // a custom logback configuration (-Dlogback.configurationFile): the operator's layout stands
        }
        context.reset();
        try {
            new ContextInitializer(context).autoConfig();
        } catch (JoranException e) {
            throw new IllegalStateException("cannot reconfigure logging: " + e.getMessage(), e);
        }
    }
}
