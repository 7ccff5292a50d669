package io.idemgate.loadtest.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class UpstreamCommandTest {

    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
    private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

    @Test
    void aTakenPortIsOneLineNamingItAndTheFlag() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();

            int code = UpstreamCommand.run(List.of("--host", "127.0.0.1", "--port", Integer.toString(port)), out, err);

            assertThat(code).isEqualTo(1);
            assertThat(errBytes.toString(StandardCharsets.UTF_8).lines().toList()).singleElement().satisfies(line ->
                    assertThat(line).startsWith("upstream: cannot listen on 127.0.0.1:" + port + ": ")
                            .contains("in use").endsWith("(choose another with --port / --host)"));
        }
    }

    @Test
    void badFlagsPrintTheErrorAndAOneLineHint() throws Exception {
        int code = UpstreamCommand.run(List.of("--latency", "soon"), out, err);

        assertThat(code).isEqualTo(2);
        assertThat(errBytes.toString(StandardCharsets.UTF_8).lines().toList()).hasSize(2)
                .last().isEqualTo("run 'java -jar idemgate-loadtest.jar upstream --help' for the flags");
    }
}
