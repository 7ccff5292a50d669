package io.idemgate.gateway.testsupport;

import static io.idemgate.gateway.testsupport.FreePorts.freePort;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real {@code redis-server} on a free port of 127.0.0.1, without persistence, in a temporary directory.
 * Every wait is bounded; {@link #stop()} always leaves no process behind.
 */
public final class RedisServer implements AutoCloseable {

    private static final String BINARY = System.getProperty("idemgate.test.redis-server", "redis-server");
    private static final long READY_WITHIN_MILLIS = 10_000;

    private final Path dir;
    private final List<String> args;
    private final int port;
    private Process process;

    private RedisServer(Path dir, int port, List<String> args) {
        this.dir = dir;
        this.port = port;
        this.args = args;
    }

    public static RedisServer start() {
        try {
            Path dir = Files.createTempDirectory("idemgate-redis");
            int port = freePort();
            RedisServer server = new RedisServer(dir, port, List.of(BINARY, "--port", Integer.toString(port),
                    "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.toString(),
                    "--enable-debug-command", "local"));
            server.launch();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A server with extra options, e.g. {@code --tls-port} and its files, {@code --requirepass}, or
     * {@code --user NAME on >PASSWORD ~* &* +@all} (each word its own argument). The plain port stays for
     * {@link #command}; with a password there it answers {@code -NOAUTH} to anything but {@code AUTH}.
     */
    public static RedisServer startWith(List<String> options) {
        try {
            Path dir = Files.createTempDirectory("idemgate-redis");
            int port = freePort();
            List<String> args = new ArrayList<>(List.of(BINARY, "--port", Integer.toString(port),
                    "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.toString()));
            args.addAll(options);
            RedisServer server = new RedisServer(dir, port, args);
            server.launch();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A node for a Redis Cluster ({@code --cluster-enabled yes}); {@link RedisCluster} joins three of them. */
    public static RedisServer startClusterNode() {
        try {
            Path dir = Files.createTempDirectory("idemgate-redis-cluster");
            int port = freePort();
            RedisServer server = new RedisServer(dir, port, List.of(BINARY, "--port", Integer.toString(port),
                    "--bind", "127.0.0.1", "--cluster-enabled", "yes", "--cluster-config-file",
                    dir.resolve("nodes-" + port + ".conf").toString(), "--save", "", "--appendonly", "no",
                    "--dir", dir.toString()));
            server.launch();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A Sentinel (quorum 1) watching {@code master} under {@code masterName}; it rewrites its own config file.
     * The master is down after 1 s without an answer; a failover that stalls is abandoned after 10 s.
     */
    public static RedisServer startSentinel(RedisServer master, String masterName) {
        try {
            Path dir = Files.createTempDirectory("idemgate-sentinel");
            int port = freePort();
            Path conf = dir.resolve("sentinel.conf");
            Files.writeString(conf, String.join("\n", "port " + port, "bind 127.0.0.1", "dir " + dir,
                    "sentinel monitor " + masterName + " 127.0.0.1 " + master.port() + " 1",
                    "sentinel down-after-milliseconds " + masterName + " 1000",
                    "sentinel failover-timeout " + masterName + " 10000", ""));
            RedisServer sentinel = new RedisServer(dir, port, List.of(BINARY, conf.toString(), "--sentinel"));
            sentinel.launch();
            return sentinel;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return port;
    }

    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    /** Sends one command (inline protocol) and returns the first reply line, e.g. {@code +OK}. */
    public String command(String line) {
        return exchange(line, false);
    }

    /** Sends one command (inline protocol) and returns its whole reply when it is a bulk string, e.g. CLUSTER INFO. */
    public String commandFull(String line) {
        return exchange(line, true);
    }

    private String exchange(String line, boolean wholeBulk) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
            socket.setSoTimeout(2_000);
            OutputStream out = socket.getOutputStream();
            out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder header = new StringBuilder();
            for (int c; (c = in.read()) != -1 && c != '\n'; ) {
                if (c != '\r') {
                    header.append((char) c);
                }
            }
            if (!wholeBulk || header.length() == 0 || header.charAt(0) != '$') {
                return header.toString();
            }
            int length = Integer.parseInt(header.substring(1));
            return length < 0 ? "" : new String(in.readNBytes(length), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Blocks the server for {@code duration} ({@code DEBUG SLEEP}): it keeps its connections but answers
     * nothing, as an overloaded or stalled Redis does. Returns when the server answers again.
     */
    public void debugSleep(Duration duration) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
            socket.setSoTimeout((int) duration.toMillis() + 5_000);
            OutputStream out = socket.getOutputStream();
            out.write(("DEBUG SLEEP " + duration.toMillis() / 1000.0 + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            for (int c; (c = in.read()) != -1 && c != '\n'; ) {
                // the reply, +OK, once the sleep is over
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Kills the process at once (SIGKILL), as a crash would. */
    public void kill() {
        if (process != null) {
            process.destroyForcibly();
            waitFor(process);
        }
    }

    /** Starts again on the same port after {@link #kill()} or {@link #stop()}; data is gone. */
    public void restart() {
        kill();
        launch();
    }

    public void stop() {
        if (process != null) {
            process.destroy();
            if (!waitFor(process)) {
                process.destroyForcibly();
                waitFor(process);
            }
        }
        deleteDir();
    }

    @Override
    public void close() {
        stop();
    }

    private void launch() {
        try {
            process = new ProcessBuilder(args)
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("redis.log").toFile())
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + BINARY, e);
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READY_WITHIN_MILLIS);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server exited with " + process.exitValue() + ": " + log());
            }
            try {
                String pong = command("PING");
                if ("+PONG".equals(pong) || pong.startsWith("-NOAUTH")) { // up, and wants a password
                    return;
                }
            } catch (UncheckedIOException notYet) {
                // not listening yet
            }
            sleep(20);
        }
        process.destroyForcibly();
        throw new IllegalStateException("redis-server not ready within " + READY_WITHIN_MILLIS + " ms");
    }

    private String log() {
        try {
            return Files.readString(dir.resolve("redis.log"));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static boolean waitFor(Process process) {
        try {
            return process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void deleteDir() {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException ignored) {
            // a temp dir left behind is harmless
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
