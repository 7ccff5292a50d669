package io.idemgate.gateway.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.idemgate.gateway.http.Problem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docs/responses.md lists every problem the gateway answers with, with its status, and no other. */
class ResponsesDocTest {

    private static final Path DOC = Path.of("..", "docs", "responses.md");
    private static final Pattern ROW = Pattern.compile("(?m)^\\|\\s*(\\d{3})\\s*\\|\\s*`([a-z0-9-]+)`\\s*\\|");
    private static final String PREFIX = "urn:idemgate:problem:";

    @Test
    void everyProblemTypeHasARowWithItsStatus() throws IOException {
        Set<String> documented = new TreeSet<>();
        Matcher m = ROW.matcher(Files.readString(DOC));
        while (m.find()) {
            documented.add(m.group(1) + " " + m.group(2));
        }
        Set<String> problems = new TreeSet<>();
        for (Problem p : Problem.values()) {
            assertThat(p.type()).startsWith(PREFIX);
            problems.add(p.status() + " " + p.type().substring(PREFIX.length()));
        }

        assertThat(documented).as("status and slug rows of docs/responses.md").containsAll(problems);
        assertThat(problems).as("every documented row is a Problem").containsAll(documented);
    }
}
