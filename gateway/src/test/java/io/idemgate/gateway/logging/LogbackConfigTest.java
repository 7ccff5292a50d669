package io.idemgate.gateway.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.status.Status;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The shipped logback.xml, loaded into a private context with the format property set as the gateway sets it. */
class LogbackConfigTest {

    @Test
    void jsonFormatWritesOneJsonObjectPerLineWithKeyValuePairs() throws Exception {
        String out = logAccessLineWith("json");

        List<String> lines = out.lines().toList();
        assertThat(lines).hasSize(1);
        Map<String, String> fields = topLevelStrings(lines.get(0));
        assertThat(fields).containsEntry("level", "INFO")
                .containsEntry("loggerName", "idemgate.access")
                .containsEntry("formattedMessage", "exchange done");
        assertThat(lines.get(0)).contains("\"route\"").contains("\"payments\"").contains("\"outcome\"");
    }

    @Test
    void textFormatIsTheDefaultAndShowsKeyValuePairs() throws Exception {
        String out = logAccessLineWith(null);

        assertThat(out.lines().toList()).singleElement().satisfies(line -> assertThat(line)
                .contains(" INFO  [")
                .contains("idemgate.access - exchange done route=\"payments\" outcome=\"replayed\"")
                .doesNotStartWith("{"));
    }

    private static String logAccessLineWith(String format) throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new LogbackMDCAdapter());
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            if (format != null) {
                // Same lookup as -Didemgate.log.format=json: context properties are consulted before system ones.
                context.putProperty("idemgate.log.format", format);
            }
            JoranConfigurator configurator = new JoranConfigurator();
            configurator.setContext(context);
            URL config = LogbackConfigTest.class.getResource("/logback.xml");
            configurator.doConfigure(config);
            assertThat(context.getStatusManager().getCopyOfStatusList())
                    .filteredOn(s -> s.getEffectiveLevel() >= Status.WARN).isEmpty();

            Logger access = context.getLogger("idemgate.access");
            access.atInfo().setMessage("exchange done").addKeyValue("route", "payments")
                    .addKeyValue("outcome", "replayed").log();
            context.stop(); // drains the async appender
        } finally {
            System.setOut(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    private static Map<String, String> topLevelStrings(String json) throws IOException {
        Map<String, String> fields = new HashMap<>();
        try (JsonParser p = new JsonFactory().createParser(json)) {
            assertThat(p.nextToken()).isEqualTo(JsonToken.START_OBJECT);
            for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (value == JsonToken.VALUE_STRING) {
                    fields.put(name, p.getText());
                } else {
                    p.skipChildren();
                }
            }
            assertThat(p.nextToken()).isNull();
        }
        return fields;
    }
}
