package io.idemgate.gateway.fuzz;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An upstream made of plain sockets and {@link StrictHttp1Parser}: it logs exactly the requests it
 * parses from the bytes the gateway sends, numbers each, and answers each with its number in
 * {@code X-Upstream-Seq} (and the body {@code seq=N}), so a client can tell which upstream request its
 * response answers. Bytes it cannot parse are logged as a violation and the connection is closed.
 * No Netty, nothing shared with the gateway. One thread per connection; every socket closed on close().
 */
final class RecordingRawUpstream implements AutoCloseable {

    static final String SEQ_HEADER = "X-Upstream-Seq";

    /** A request as the upstream parsed it, with the upstream connection it came on. */
    record Seen(int seq, int connection, StrictHttp1Parser.Request request) {
    }

    private final ServerSocket server;
    private final Thread acceptor;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final Map<Integer, Seen> seen = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<String> unparsable = new ConcurrentLinkedQueue<>();
    private final AtomicInteger seq = new AtomicInteger();
    private final AtomicInteger connections = new AtomicInteger();
    private volatile boolean closed;

    private RecordingRawUpstream() throws IOException {
        server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
        acceptor = new Thread(this::acceptLoop, "raw-upstream-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    static RecordingRawUpstream start() throws IOException {
        return new RecordingRawUpstream();
    }

    String url() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    Seen seen(int seq) {
        return seen.get(seq);
    }

    /** All requests parsed so far, by sequence number. */
    Map<Integer, Seen> seen() {
        return Map.copyOf(seen);
    }

    /** The sequence number of the last request parsed (0 before the first). */
    int lastSeq() {
        return seq.get();
    }

    int requestCount() {
        return seen.size();
    }

    int connectionsAccepted() {
        return connections.get();
    }

    int openConnections() {
        return sockets.size();
    }

    /** What the gateway sent that a strict parser refused (each entry: why, and the bytes). */
    List<String> unparsable() {
        return new ArrayList<>(unparsable);
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket s = server.accept();
                s.setTcpNoDelay(true);
                sockets.add(s);
                int id = connections.incrementAndGet();
                Thread t = new Thread(() -> serve(s, id), "raw-upstream-" + id);
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                if (!closed) {
                    unparsable.add("accept failed: " + e);
                }
                return;
            }
        }
    }

    private void serve(Socket s, int id) {
        byte[] buf = new byte[16 * 1024];
        int len = 0;
        try (s) {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            while (true) {
                StrictHttp1Parser.Parsed parsed;
                try {
                    parsed = len == 0 ? null : StrictHttp1Parser.parseOne(buf, 0, len);
                } catch (StrictHttp1Parser.Malformed e) {
                    unparsable.add(e.getMessage() + " in " + Bytes.escape(new String(buf, 0, len, StandardCharsets.ISO_8859_1)));
                    out.write(Bytes.of("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
                    return;
                }
                if (parsed == null) {
                    if (len == buf.length) {
                        buf = Arrays.copyOf(buf, buf.length * 2);
                    }
                    int r = in.read(buf, len, buf.length - len);
                    if (r < 0) {
                        return;
                    }
                    len += r;
                    continue;
                }
                int n = seq.incrementAndGet();
                seen.put(n, new Seen(n, id, parsed.request()));
                System.arraycopy(buf, parsed.end(), buf, 0, len - parsed.end());
                len -= parsed.end();
                String body = "seq=" + n;
                out.write(Bytes.of("HTTP/1.1 200 OK\r\n" + SEQ_HEADER + ": " + n + "\r\nContent-Type: text/plain\r\n"
                        + "Content-Length: " + body.length() + "\r\n\r\n" + body));
                out.flush();
            }
        } catch (SocketException e) {
            // the gateway closed the connection: normal
        } catch (IOException e) {
            if (!closed) {
                unparsable.add("upstream connection " + id + " failed: " + e);
            }
        } finally {
            sockets.remove(s);
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
        try {
            acceptor.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
