package io.idemgate.gateway.testsupport;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A {@code MONITOR} connection to a {@link RedisServer}: every command the server runs, with the client
 * that sent it ({@code lua} for commands run inside a script). {@link #commandsSoFar()} drains what
 * was seen up to a marker it sends itself, so nothing executed before the call is missed.
 */
public final class RedisMonitor implements AutoCloseable {

    private static final Duration WITHIN = Duration.ofSeconds(5);

    /** One monitored command: {@code source} is {@code host:port} of the client, or {@code lua}. */
    public record Command(String source, String name, String line) {
        public boolean fromScript() {
            return "lua".equals(source);
        }
    }

    private final RedisServer server;
    private final Socket socket;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Thread reader;

    private RedisMonitor(RedisServer server, Socket socket) {
        this.server = server;
        this.socket = socket;
        this.reader = new Thread(this::read, "redis-monitor-" + server.port());
        reader.setDaemon(true);
    }

    public static RedisMonitor start(RedisServer server) {
        try {
            Socket socket = new Socket();
            socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 1_000);
            socket.getOutputStream().write("MONITOR\r\n".getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            RedisMonitor monitor = new RedisMonitor(server, socket);
            monitor.reader.start();
            String ok = monitor.lines.poll(WITHIN.toMillis(), TimeUnit.MILLISECONDS);
            if (!"+OK".equals(ok)) {
                monitor.close();
                throw new IllegalStateException("MONITOR answered " + ok);
            }
            return monitor;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Commands run since the last call, the marker excluded: sends
     * {@code ECHO <marker>} on another connection and collects until the monitor shows it (bounded).
     */
    public List<Command> commandsSoFar() {
        String marker = "monitor-marker-" + UUID.randomUUID();
        server.command("ECHO " + marker);
        List<Command> seen = new ArrayList<>();
        long deadline = System.nanoTime() + WITHIN.toNanos();
        try {
            while (true) {
                String line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (line == null) {
                    throw new IllegalStateException("marker not seen by MONITOR within " + WITHIN);
                }
                if (line.contains(marker)) {
                    return seen;
                }
                Command command = parse(line);
                if (command != null) {
                    seen.add(command);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
            reader.join(WITHIN.toMillis());
        } catch (IOException ignored) {
            // closing anyway
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@code 1700000000.123456 [0 127.0.0.1:54321] "EVALSHA" "…"}: source after the db number, then the name. */
    private static Command parse(String line) {
        int open = line.indexOf('[');
        int close = line.indexOf(']', open + 1);
        if (open < 0 || close < 0) {
            return null;
        }
        String source = line.substring(line.indexOf(' ', open) + 1, close);
        int nameStart = line.indexOf('"', close) + 1;
        int nameEnd = line.indexOf('"', nameStart);
        if (nameStart <= 0 || nameEnd < 0) {
            return null;
        }
        return new Command(source, line.substring(nameStart, nameEnd).toUpperCase(), line);
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                lines.add(line);
            }
        } catch (IOException closed) {
            // close() ends the stream
        }
    }
}
