package io.idemgate.loadtest.load;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The {@code load} subcommand: parse flags, run, print the summary, write the JSON, exit 1 on a violation. */
public final class LoadCommand {

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
            err.print(LoadOptions.USAGE);
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
        if (result.completed() - result.count(Outcome.ERROR) == 0) {
            err.println("load: no request was answered by " + options.target() + ": nothing was verified");
            return 1;
        }
        return result.verification().ok() ? 0 : 1;
    }
}
