package io.idemgate.gateway.testsupport;

import static io.idemgate.gateway.testsupport.FreePorts.freePort;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The shipped fat jar ({@code target/idemgate.jar}, built in the package phase, before the ITs) as a separate
 * process on free loopback ports, the way operators run it: SIGTERM is a real signal. Leak detection runs at
 * PARANOID in the process; {@link #log()} is its output. Every wait is bounded; {@link #close()} always
 * leaves no process behind.
 */
public final class GatewayProcess implements AutoCloseable {

    private static final Path JAR = Path.of("target", "idemgate.jar");

    private final Process process;
    private final Path log;
    private final int proxyPort;
    private final int adminPort;

    private GatewayProcess(Process process, Path log, int proxyPort, int adminPort) {
        this.process = process;
        this.log = log;
        this.proxyPort = proxyPort;
        this.adminPort = adminPort;
    }

    /**
     * Writes {@code hocon} (listeners are added: 127.0.0.1, free ports) to {@code dir/name.conf} and starts the
     * jar on it. Does not wait: see {@link #awaitHealthy} and {@link #awaitExit}.
     *
     * @param jvmOptions extra JVM options, e.g. a trust store
     */
    public static GatewayProcess start(Path dir, String name, String hocon, List<String> jvmOptions) throws IOException {
        int proxyPort = freePort();
        int adminPort = freePort();
        Path config = dir.resolve(name + ".conf");
        Files.writeString(config, hocon + "\nidemgate.server.host = \"127.0.0.1\"\nidemgate.server.port = " + proxyPort
                + "\nidemgate.admin { host = \"127.0.0.1\", port = " + adminPort + " }\n");
        Path log = dir.resolve(name + ".log");
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(List.of("-Xmx128m", "-Dio.netty.leakDetection.level=paranoid"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", JAR.toString(), "--config", config.toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new GatewayProcess(process, log, proxyPort, adminPort);
    }

    /** Waits until the admin port answers {@code /healthz} with 200; fails with the log if the process exits first. */
    public GatewayProcess awaitHealthy(Duration within) throws InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("gateway exited with " + process.exitValue() + " before it was healthy:\n" + log());
            }
            try {
                HttpResponse<Void> r = client.send(HttpRequest.newBuilder(adminUri("/healthz"))
                        .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return this;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100); // polling interval, bounded by the deadline
        }
        throw new AssertionError("gateway not healthy within " + within + ":\n" + log());
    }

    /** Sends SIGTERM: the graceful stop operators (and Kubernetes) ask for. */
    public void sigterm() {
        process.destroy();
    }

    /** @return the exit code; fails if the process is still running after {@code within} */
    public int awaitExit(Duration within) throws InterruptedException {
        if (!process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("gateway still running " + within + " later:\n" + log());
        }
        return process.exitValue();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public String log() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + proxyPort + pathAndQuery);
    }

    public URI adminUri(String path) {
        return URI.create("http://127.0.0.1:" + adminPort + path);
    }

    /** Kills the process if it still runs (SIGKILL) and waits for it, bounded. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
