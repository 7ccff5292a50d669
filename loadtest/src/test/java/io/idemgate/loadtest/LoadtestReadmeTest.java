package io.idemgate.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.idemgate.loadtest.fault.ProxyCommand;
import io.idemgate.loadtest.history.CheckCommand;
import io.idemgate.loadtest.load.LoadCommand;
import io.idemgate.loadtest.upstream.UpstreamCommand;
import io.idemgate.loadtest.waiters.WaitersCommand;
import io.idemgate.loadtest.wakeup.WakeupCommand;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** loadtest/README.md documents every command the jar's usage names, every flag of their usages, and every scenario. */
class LoadtestReadmeTest {

    private static final Path README = Path.of("README.md");
    private static final Pattern FLAG = Pattern.compile("(?<![\\w-])--[a-z][a-z0-9-]*");

    private interface Command {
        int run(List<String> args, PrintStream out, PrintStream err) throws InterruptedException;
    }

    @Test
    void everyCommandOfTheUsageHasItsSection() throws IOException {
        String readme = Files.readString(README);
        List<String> commands = LoadtestMain.USAGE.lines().dropWhile(l -> !l.startsWith("commands:")).skip(1)
                .takeWhile(l -> !l.isBlank()).map(l -> l.trim().split("\\s+")[0]).toList();

        assertThat(commands).containsExactlyInAnyOrder("upstream", "load", "wakeup", "waiters", "proxy", "check");
        for (String command : commands) {
            assertThat(readme).as("README lists " + command).containsPattern("(?m)^  " + command + " ");
            assertThat(readme).as("README shows how to run " + command).contains("idemgate-loadtest.jar " + command + " ");
        }
    }

    @Test
    void everyFlagOfEveryCommandIsDocumented() throws Exception {
        String readme = Files.readString(README);
        Map<String, Command> commands = Map.of("upstream", UpstreamCommand::run, "load", LoadCommand::run,
                "wakeup", WakeupCommand::run, "waiters", WaitersCommand::run, "proxy", ProxyCommand::run,
                "check", (a, o, e) -> CheckCommand.run(a, o, e));
        TreeSet<String> missing = new TreeSet<>();
        for (Map.Entry<String, Command> c : commands.entrySet()) {
            ByteArrayOutputStream usage = new ByteArrayOutputStream();
            PrintStream out = new PrintStream(usage, true, StandardCharsets.UTF_8);
            assertThat(c.getValue().run(List.of("--help"), out, out)).isZero();
            Matcher m = FLAG.matcher(usage.toString(StandardCharsets.UTF_8));
            while (m.find()) {
                if (!m.group().equals("--help") && !readme.contains("`" + m.group())) {
                    missing.add(c.getKey() + " " + m.group());
                }
            }
        }
        assertThat(missing).as("flags in the usage but not in loadtest/README.md").isEmpty();
    }

    @Test
    void everyScenarioIsListed() throws IOException {
        String readme = Files.readString(README);
        try (Stream<Path> scripts = Files.list(Path.of("scenarios"))) {
            List<String> names = scripts.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".sh")).sorted().toList();
            assertThat(names).isNotEmpty();
            assertThat(names).allSatisfy(n -> assertThat(readme).contains("`scenarios/" + n));
        }
    }
}
