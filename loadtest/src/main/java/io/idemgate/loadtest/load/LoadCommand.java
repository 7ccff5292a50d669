package io.idemgate.loadtest.load;

import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The {@code load} subcommand: parse flags, run, print the summary, write the JSON. Exits 1 on a violation
 * or when nothing was measured, 2 on bad flags, 3 when sending fell behind and {@code --fail-if-behind} is set.
 */
public final class LoadCommand {

    static final String HINT = "run 'java -jar idemgate-loadtest.jar load --help' for the flags";

    private LoadCommand() {
    }

    /** @return the process exit code */
    public static int run(List<String> args, PrintStream out, PrintStream err) throws InterruptedException {
        if (args.contains("--help") || args.contains("-h")) {
            out.print(LoadOptions.USAGE);
            return 0;
        }
        LoadOptions options;
        try {
            options = LoadOptions.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("load: " + e.getMessage());
            err.println(HINT);
            return 2;
        }
        LoadResult result = new LoadGenerator(options, out).run();
        out.print(result.summary());
        if (options.results() != null) {
            try {
                Files.writeString(Path.of(options.results()), result.json(), StandardCharsets.UTF_8);
                out.println("results written to " + options.results());
            } catch (IOException e) {
                err.println("load: cannot write " + options.results() + ": " + e);
                return 2;
            }
        }
        if (options.timeline() != null) {
            try (Writer csv = Files.newBufferedWriter(Path.of(options.timeline()), StandardCharsets.UTF_8)) {
                result.timeline().writeCsv(csv);
                out.println("timeline written to " + options.timeline());
            } catch (IOException e) {
                err.println("load: cannot write " + options.timeline() + ": " + e);
                return 2;
            }
        }
        if (result.nothingMeasured()) {
            return 1;
        }
        if (result.completed() - result.count(Outcome.ERROR) == 0) {
            err.println("load: no request was answered successfully by " + options.target() + ": nothing was verified");
            return 1;
        }
        if (!result.verification().ok()) {
            return 1;
        }
        if (options.failIfBehind() && result.behind()) {
            err.println("load: fell behind the asked rate (--fail-if-behind)");
            return 3;
        }
        return 0;
    }
}
