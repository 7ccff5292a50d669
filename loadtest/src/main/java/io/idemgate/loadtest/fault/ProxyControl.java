package io.idemgate.loadtest.fault;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.idemgate.loadtest.upstream.Latency;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

/**
 * The proxy's loopback control, so scripts can switch faults during a run with curl:
 * {@code GET /status}; {@code POST /latency?value=200ms}, {@code /bandwidth?value=BYTES_PER_S} (0 = unlimited),
 * {@code /blackhole}, {@code /heal} (lift the blackhole), {@code /reset} (RST every open connection), {@code /clear}
 * (every fault off; the scope stays), {@code /scope?value=IP} (only clients from that address suffer the faults;
 * {@code all} = every client). Each change is one log line. Served by the JDK's own small HTTP server on one thread.
 */
public final class ProxyControl implements AutoCloseable {

    private final FaultProxy proxy;
    private final String name;
    private final PrintStream log;
    private final HttpServer server;

    private ProxyControl(FaultProxy proxy, String name, String host, int port, PrintStream log) throws IOException {
        this.proxy = proxy;
        this.name = name;
        this.log = log;
        this.server = HttpServer.create(new InetSocketAddress(host, port), 16);
        server.createContext("/", this::handle);
        server.start();
    }

    public static ProxyControl start(FaultProxy proxy, String name, String host, int port, PrintStream log) throws IOException {
        return new ProxyControl(proxy, name, host, port, log);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            URI uri = ex.getRequestURI();
            String path = uri.getPath();
            String value = query(uri.getRawQuery(), "value");
            boolean post = ex.getRequestMethod().equals("POST");
            int status = 200;
            String error = null;
            if (path.equals("/") || path.equals("/status")) {
                // status only
            } else if (!post) {
                status = 405;
                error = "changes are POST: " + path;
            } else {
                try {
                    change(path, value);
                } catch (IllegalArgumentException e) {
                    status = path.matches("/(latency|bandwidth|blackhole|heal|reset|clear|scope)") ? 400 : 404;
                    error = e.getMessage();
                }
            }
            byte[] body = (error == null ? status() : "{\"error\":" + quote(error) + "}").concat("\n").getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(status, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private void change(String path, String value) {
        Faults f = proxy.faults();
        switch (path) {
            case "/latency" -> {
                Duration d = Latency.parseDuration(require(value, "latency"));
                proxy.set(f.withLatency(d.toNanos()));
                say("latency " + d.toMillis() + " ms each way");
            }
            case "/bandwidth" -> {
                long bps = Long.parseLong(require(value, "bandwidth").trim());
                proxy.set(f.withBandwidth(bps));
                say(bps == 0 ? "bandwidth unlimited" : "bandwidth " + bps + " bytes/s each way");
            }
            case "/blackhole" -> {
                proxy.set(f.withBlackhole(true));
                say("BLACKHOLE on: nothing forwarded either way (" + proxy.openConnections() + " connections held)");
            }
            case "/heal" -> {
                proxy.set(f.withBlackhole(false));
                say("blackhole lifted: held data flows again");
            }
            case "/scope" -> {
                String from = value == null || value.isBlank() || value.equals("all") ? null : value.trim();
                proxy.set(f.from(from));
                say(from == null ? "faults apply to every client" : "faults apply only to clients from " + from);
            }
            case "/reset" -> say("RESET " + proxy.resetAll() + " connections (RST both ends)");
            case "/clear" -> {
                proxy.set(Faults.NONE.from(f.from()));
                say("all faults cleared");
            }
            default -> throw new IllegalArgumentException("unknown control " + path
                    + "; use GET /status, POST /latency?value=D, /bandwidth?value=N, /blackhole, /heal, /reset, /clear, /scope?value=IP|all");
        }
    }

    private static String require(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(what + " needs ?value=");
        }
        return value;
    }

    private void say(String what) {
        log.printf("%s proxy %s: %s%n", Instant.now(), name, what);
    }

    String status() {
        Faults f = proxy.faults();
        return "{\"name\":" + quote(name) + ",\"latency_ms\":" + f.latencyNanos() / 1_000_000.0
                + ",\"bandwidth_bytes_per_second\":" + f.bytesPerSecond() + ",\"blackhole\":" + f.blackhole() + ",\"from\":" + (f.from() == null ? "null" : quote(f.from()))
                + ",\"open_connections\":" + proxy.openConnections() + ",\"accepted_connections\":" + proxy.acceptedConnections()
                + ",\"reset_connections\":" + proxy.resetConnections() + ",\"forwarded_bytes\":" + proxy.forwardedBytes() + "}";
    }

    private static String query(String raw, String name) {
        if (raw == null) {
            return null;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).equals(name)) {
                return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
