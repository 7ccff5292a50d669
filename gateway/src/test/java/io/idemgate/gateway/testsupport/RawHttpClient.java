package io.idemgate.gateway.testsupport;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A plain-socket HTTP/1.1 client for input no real client would send (malformed heads, smuggling
 * attempts, half requests). It writes exactly the bytes given and parses one response at a time.
 * Every read has a deadline; nothing waits unbounded.
 */
public final class RawHttpClient implements AutoCloseable {

    /** Bodies larger than this are refused, so a runaway response cannot exhaust the test heap. */
    public static final int MAX_BODY = 32 * 1024 * 1024;
    private static final int MAX_LINE = 64 * 1024;

    /** A parsed response; header names lower-case. */
    public record RawResponse(String version, int status, String reason, Map<String, List<String>> headers, byte[] body) {
        public String header(String name) {
            List<String> v = headers.get(name.toLowerCase());
            return v == null || v.isEmpty() ? null : v.get(0);
        }

        public String bodyAsString() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private long deadline;

    private RawHttpClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    public static RawHttpClient connect(int port) throws IOException {
        return connect("127.0.0.1", port, Duration.ofSeconds(5));
    }

    public static RawHttpClient connect(String host, int port, Duration timeout) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
            socket.setTcpNoDelay(true);
            return new RawHttpClient(socket);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** Sends the string as ISO-8859-1 bytes, exactly as given (write {@code \r\n} yourself). */
    public RawHttpClient send(String raw) throws IOException {
        return send(raw.getBytes(StandardCharsets.ISO_8859_1));
    }

    public RawHttpClient send(byte[] raw) throws IOException {
        out.write(raw);
        out.flush();
        return this;
    }

    /**
     * Reads the next response (an interim {@code 1xx} is returned as a response of its own). The body
     * is framed by chunked encoding, Content-Length, or the end of the connection.
     *
     * @throws SocketTimeoutException if it is not complete within {@code timeout}
     * @throws java.io.EOFException   if the peer closed before a whole response arrived
     */
    public RawResponse readResponse(Duration timeout) throws IOException {
        RawResponse head = readHeadResponse(timeout);
        int status = head.status();
        Map<String, List<String>> headers = head.headers();
        byte[] body;
        if (status < 200 || status == 204 || status == 304) {
            body = new byte[0];
        } else if (head.header("transfer-encoding") != null && head.header("transfer-encoding").toLowerCase().contains("chunked")) {
            body = readChunked(headers);
        } else if (head.header("content-length") != null) {
            body = readExactly(checkedLength(Long.parseLong(head.header("content-length").trim())));
        } else {
            body = readUntilClose();
        }
        return new RawResponse(head.version(), status, head.reason(), headers, body);
    }

    /** Reads the response to a HEAD request: status and headers only, whatever the framing headers say. */
    public RawResponse readHeadResponse(Duration timeout) throws IOException {
        deadline = System.nanoTime() + timeout.toNanos();
        String statusLine = readLine();
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
            throw new IOException("not an HTTP status line: " + statusLine);
        }
        return new RawResponse(parts[0], Integer.parseInt(parts[1]), parts.length > 2 ? parts[2] : "", readHeaders(), new byte[0]);
    }

    /**
     * Whether the peer closes the connection within {@code timeout}; bytes still arriving meanwhile
     * are read and discarded.
     */
    public boolean isClosedByPeer(Duration timeout) throws IOException {
        deadline = System.nanoTime() + timeout.toNanos();
        byte[] sink = new byte[8192];
        try {
            while (true) {
                if (read(sink, 0, sink.length) < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset by peer
        }
    }

    private Map<String, List<String>> readHeaders() throws IOException {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String line = readLine(); !line.isEmpty(); line = readLine()) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IOException("malformed header line: " + line);
            }
            headers.computeIfAbsent(line.substring(0, colon).trim().toLowerCase(), k -> new ArrayList<>())
                    .add(line.substring(colon + 1).trim());
        }
        return headers;
    }

    private byte[] readChunked(Map<String, List<String>> headers) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = readLine();
            int semicolon = sizeLine.indexOf(';');
            long size = Long.parseLong((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
            if (size == 0) {
                readHeaders().forEach((k, v) -> headers.computeIfAbsent(k, x -> new ArrayList<>()).addAll(v)); // trailers
                return body.toByteArray();
            }
            body.write(readExactly(checkedLength(body.size() + size) - body.size()));
            if (!readLine().isEmpty()) {
                throw new IOException("chunk not followed by CRLF");
            }
        }
    }

    private byte[] readExactly(int n) throws IOException {
        byte[] buf = new byte[n];
        for (int off = 0; off < n; ) {
            int r = read(buf, off, n - off);
            if (r < 0) {
                throw new java.io.EOFException("connection closed after " + off + " of " + n + " body bytes");
            }
            off += r;
        }
        return buf;
    }

    private byte[] readUntilClose() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        for (int r; (r = read(buf, 0, buf.length)) >= 0; ) {
            body.write(buf, 0, r);
            checkedLength(body.size());
        }
        return body.toByteArray();
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            int b = readByte();
            if (b < 0) {
                throw new java.io.EOFException("connection closed" + (line.size() > 0 ? " mid-line: " + line : ""));
            }
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, len, StandardCharsets.ISO_8859_1);
            }
            if (line.size() >= MAX_LINE) {
                throw new IOException("line longer than " + MAX_LINE + " bytes");
            }
            line.write(b);
        }
    }

    private int readByte() throws IOException {
        byte[] one = new byte[1];
        int r = read(one, 0, 1);
        return r < 0 ? -1 : one[0] & 0xff;
    }

    /** Every read goes through here, so every read honours the deadline. */
    private int read(byte[] b, int off, int len) throws IOException {
        long leftMs = (deadline - System.nanoTime()) / 1_000_000;
        if (leftMs <= 0) {
            throw new SocketTimeoutException("deadline passed");
        }
        socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, leftMs));
        return in.read(b, off, len);
    }

    private static int checkedLength(long n) throws IOException {
        if (n < 0 || n > MAX_BODY) {
            throw new IOException("response body of " + n + " bytes is over the " + MAX_BODY + " limit of RawHttpClient");
        }
        return (int) n;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
