package io.idemgate.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md cannot drift from reference.conf: every key of reference.conf has a row in the
 * doc's key tables with the same default, and every key the doc names exists in reference.conf.
 * When this fails, fix the doc (or reference.conf), not this test.
 *
 * <p>The doc's key tables sit under headings {@code ### `idemgate.section` ...}; their rows give keys
 * relative to that section ({@code | `memory.max-entries` | `100000` | ... |}), the first backticked
 * span of the default column being the default.
 */
class ConfigurationDocTest {

    private static final Path REFERENCE = Path.of("src", "main", "resources", "reference.conf");
    private static final Path DOC = Path.of("..", "docs", "configuration.md");

    private static final Pattern SECTION = Pattern.compile("^###\\s+`(idemgate(?:\\.[a-z][a-z0-9-]*)+)`.*$");
    private static final Pattern TABLE_HEADER = Pattern.compile("^\\|\\s*key\\s*\\|\\s*(\\w+)\\s*\\|.*$");
    private static final Pattern ROW = Pattern.compile("^\\|\\s*`([^`]+)`\\s*\\|([^|]*)\\|.*$");
    private static final Pattern CODE_SPAN = Pattern.compile("`([^`]+)`");
    /** A whole inline code span that is a config path, e.g. {@code `idemgate.admin.token`}. */
    private static final Pattern KEY_SPAN = Pattern.compile("`(idemgate(?:\\.[a-z][a-z0-9-]*)+)`");
    /** Inline spans that look like config paths but are something else. */
    private static final Set<String> NOT_KEYS = Set.of(
            "idemgate.access"); // the access logger's name

    private static Config reference;
    private static String doc;
    /** Full key path to the documented default, from the doc's key/default tables. */
    private static Map<String, String> documentedDefaults;
    /** Keys of the route table ({@code | key | required | meaning |}), relative to a route. */
    private static List<String> routeKeys;

    @BeforeAll
    static void read() throws IOException {
        // Without the environment: IDEMGATE_ADMIN_TOKEN or IDEMGATE_LOG_FORMAT set where the tests run must not
        // change the defaults compared with the doc.
        reference = ConfigFactory.parseFile(REFERENCE.toFile())
                .resolve(ConfigResolveOptions.defaults().setUseSystemEnvironment(false));
        doc = Files.readString(DOC);
        documentedDefaults = new LinkedHashMap<>();
        routeKeys = new ArrayList<>();
        String section = null;
        String table = null;
        for (String line : doc.split("\n")) {
            Matcher m;
            if (line.startsWith("#")) {
                m = SECTION.matcher(line);
                section = m.matches() ? m.group(1) : null;
                table = null;
            } else if ((m = TABLE_HEADER.matcher(line)).matches()) {
                table = m.group(1);
            } else if (!line.startsWith("|")) {
                table = null;
            } else if (section != null && table != null && (m = ROW.matcher(line)).matches()) {
                if (table.equals("default")) {
                    Matcher value = CODE_SPAN.matcher(m.group(2));
                    String previous = documentedDefaults.put(section + "." + m.group(1), value.find() ? value.group(1) : null);
                    assertThat(previous).as("documented twice: %s.%s", section, m.group(1)).isNull();
                } else if (section.equals("idemgate.routes")) {
                    routeKeys.add(m.group(1));
                }
            }
        }
    }

    @Test
    void theDocHasKeyTables() {
        assertThat(documentedDefaults).containsKeys("idemgate.server.port", "idemgate.store.redis.uri",
                "idemgate.defaults.upstream.connect-timeout", "idemgate.defaults.idempotency.key.header");
        assertThat(routeKeys).contains("name", "match.path", "upstream.urls");
    }

    @Test
    void everyReferenceKeyIsDocumented() {
        Set<String> missing = new TreeSet<>();
        for (String key : leafKeys()) {
            if (!documentedDefaults.containsKey(key) && !documentedSection(key)) {
                missing.add(key);
            }
        }
        assertThat(missing).as("keys of %s without a row in %s", REFERENCE, DOC).isEmpty();
    }

    @Test
    void everyDocumentedDefaultIsTheReferenceDefault() {
        Map<String, String> wrong = new LinkedHashMap<>();
        documentedDefaults.forEach((key, documented) -> {
            if (reference.hasPathOrNull(key) && !reference.getIsNull(key)) {
                String actual = render(reference.getValue(key));
                if (documented == null || !normalise(documented).equals(actual)) {
                    wrong.put(key, "doc says " + documented + ", reference.conf has " + actual);
                }
            }
        });
        assertThat(wrong).as("defaults in %s that differ from %s", DOC, REFERENCE).isEmpty();
    }

    @Test
    void everyDocumentedKeyExistsInReference() {
        Set<String> unknown = new TreeSet<>();
        documentedDefaults.keySet().stream().filter(k -> !reference.hasPathOrNull(k)).forEach(unknown::add);
        // Inline mentions such as `idemgate.reload.watch-file` or `idemgate.defaults.upstream`.
        Matcher m = KEY_SPAN.matcher(doc);
        while (m.find()) {
            String key = m.group(1);
            if (!NOT_KEYS.contains(key) && !reference.hasPathOrNull(key)) {
                unknown.add(key);
            }
        }
        // Route keys: `upstream.*` and `idempotency.*` stand for the keys of idemgate.defaults.<block>.
        for (String key : routeKeys) {
            if (key.endsWith(".*")) {
                String block = "idemgate.defaults." + key.substring(0, key.length() - 2);
                if (!reference.hasPath(block) || reference.getValue(block).valueType() != ConfigValueType.OBJECT) {
                    unknown.add("idemgate.routes[]." + key + " (no " + block + " block)");
                }
            }
        }
        assertThat(unknown).as("keys named in %s that %s does not have", DOC, REFERENCE).isEmpty();
    }

    /** Every leaf path under idemgate (lists count as leaves), as Typesafe Config spells it. */
    private static Set<String> leafKeys() {
        Set<String> keys = reference.getConfig("idemgate").entrySet().stream()
                .map(e -> "idemgate." + e.getKey())
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(keys).contains("idemgate.server.port", "idemgate.routes",
                "idemgate.defaults.upstream.max-connections", "idemgate.defaults.idempotency.key.max-length",
                "idemgate.defaults.idempotency.fingerprint.ignore-json-fields");
        return keys;
    }

    /** A key documented by a section of its own rather than a table row: {@code idemgate.routes}. */
    private static boolean documentedSection(String key) {
        return doc.lines().anyMatch(l -> {
            Matcher m = SECTION.matcher(l);
            return m.matches() && m.group(1).equals(key);
        });
    }

    /** A config value as the doc writes it, quotes and spaces removed: 8k, 0.0.0.0, [POST,PATCH], [408,409]. */
    private static String render(ConfigValue value) {
        Object unwrapped = value.unwrapped();
        if (unwrapped instanceof List<?> list) {
            return list.stream().map(String::valueOf).collect(Collectors.joining(",", "[", "]"));
        }
        return String.valueOf(unwrapped);
    }

    private static String normalise(String documented) {
        return documented.replace("\"", "").replace(" ", "");
    }
}
