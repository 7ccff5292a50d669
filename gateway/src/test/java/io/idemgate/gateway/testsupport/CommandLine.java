package io.idemgate.gateway.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a real client program (curl, nghttp, openssl s_client) with a bounded wait, output and errors merged. */
public final class CommandLine {

    public record Result(int exitCode, String output) {
    }

    private CommandLine() {
    }

    public static Result run(List<String> command, String stdin) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            p.getOutputStream().write(stdin == null ? new byte[0] : stdin.getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            byte[] output = p.getInputStream().readAllBytes();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                throw new IOException(command + " did not finish within 30 s");
            }
            return new Result(p.exitValue(), new String(output, StandardCharsets.UTF_8));
        } finally {
            p.destroyForcibly();
        }
    }

    public static Result run(String... command) throws IOException, InterruptedException {
        return run(List.of(command), null);
    }
}
