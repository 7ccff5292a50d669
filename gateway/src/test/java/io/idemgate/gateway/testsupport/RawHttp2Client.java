package io.idemgate.gateway.testsupport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * An HTTP/2 client (prior knowledge, cleartext) that writes frames byte by byte, for the hostile cases no
 * real client produces: floods of resets, endless CONTINUATION frames, a window kept shut. Header blocks
 * use HPACK's static table and literals without indexing only, so no HPACK state is needed to send. What the
 * server sends on each stream (decoded response headers, body, end, reset) is kept as frames are read.
 */
public final class RawHttp2Client implements AutoCloseable {

    public static final int DATA = 0, HEADERS = 1, RST_STREAM = 3, SETTINGS = 4, PING = 6, GOAWAY = 7,
            WINDOW_UPDATE = 8, CONTINUATION = 9;
    public static final int END_STREAM = 0x1, END_HEADERS = 0x4;

    /** One frame read from the server. */
    public record Frame(int type, int flags, int streamId, byte[] payload) {
        public int errorCode() {
            int at = type == GOAWAY ? 4 : 0;
            return ((payload[at] & 0xff) << 24) | ((payload[at + 1] & 0xff) << 16) | ((payload[at + 2] & 0xff) << 8) | (payload[at + 3] & 0xff);
        }

        /** A GOAWAY's last stream id: streams above it were not processed. */
        public int lastStreamId() {
            return ((payload[0] & 0x7f) << 24) | ((payload[1] & 0xff) << 16) | ((payload[2] & 0xff) << 8) | (payload[3] & 0xff);
        }

        /** A GOAWAY's debug data as text. */
        public String debugText() {
            return new String(payload, 8, payload.length - 8, StandardCharsets.UTF_8);
        }
    }

    /** What the server sent on one stream so far. */
    public static final class StreamState {
        private Http2Headers headers;
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();
        private boolean ended;
        private int resetCode = -1;

        /** The response's {@code :status}, or -1 before its HEADERS frame. */
        public int status() {
            return headers == null || headers.status() == null ? -1 : Integer.parseInt(headers.status().toString());
        }

        public Http2Headers headers() {
            return headers;
        }

        public String body() {
            return body.toString(StandardCharsets.UTF_8);
        }

        /** Whether the server ended its side (END_STREAM). */
        public boolean ended() {
            return ended;
        }

        /** The RST_STREAM error code the server sent, or -1. */
        public int resetCode() {
            return resetCode;
        }

        public boolean reset() {
            return resetCode >= 0;
        }
    }

    private final Socket socket;
    private final OutputStream out;
    private final DataInputStream in;
    private final DefaultHttp2HeadersDecoder hpack = new DefaultHttp2HeadersDecoder(false);
    private final Map<Integer, StreamState> streams = new HashMap<>();

    private RawHttp2Client(Socket socket) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.in = new DataInputStream(socket.getInputStream());
    }

    /** Connects and sends the preface and a SETTINGS frame with {@code settings} (id, value pairs). */
    public static RawHttp2Client connect(int port, int... settings) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        s.setSoTimeout(200);
        RawHttp2Client c = new RawHttp2Client(s);
        c.out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        for (int i = 0; i + 1 < settings.length; i += 2) {
            p.write(settings[i] >>> 8);
            p.write(settings[i]);
            writeInt(p, settings[i + 1]);
        }
        c.frame(SETTINGS, 0, 0, p.toByteArray());
        c.frame(SETTINGS, 0x1, 0, new byte[0]); // ACK of the server's (sent unasked; harmless)
        return c;
    }

    /** A GET of {@code path} with {@code :authority} localhost: HPACK static entries and literals. */
    public static byte[] getBlock(String path) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(0x82); // :method GET
        b.write(0x86); // :scheme http
        literal(b, 4, path); // :path (static index 4), literal value
        literal(b, 1, "localhost"); // :authority
        return b.toByteArray();
    }

    /**
     * A request's header block: {@code :method}, {@code :scheme http}, {@code :path}, {@code :authority
     * localhost}, then {@code nameValues} as name, value pairs (lowercase names).
     */
    public static byte[] requestBlock(String method, String path, String... nameValues) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        literal(b, 2, method); // :method
        b.write(0x86); // :scheme http
        literal(b, 4, path);
        literal(b, 1, "localhost");
        for (int i = 0; i + 1 < nameValues.length; i += 2) {
            b.writeBytes(header(nameValues[i], nameValues[i + 1]));
        }
        return b.toByteArray();
    }

    /** A literal header field without indexing, new name. */
    public static byte[] header(String name, String value) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(0x00);
        string(b, name);
        string(b, value);
        return b.toByteArray();
    }

    private static void literal(ByteArrayOutputStream b, int nameIndex, String value) {
        b.write(nameIndex); // 0000xxxx: literal without indexing, indexed name (< 15)
        string(b, value);
    }

    private static void string(ByteArrayOutputStream b, String s) {
        byte[] v = s.getBytes(StandardCharsets.US_ASCII);
        if (v.length < 127) {
            b.write(v.length);
        } else {
            b.write(127);
            int rest = v.length - 127;
            while (rest >= 128) {
                b.write((rest & 0x7f) | 0x80);
                rest >>>= 7;
            }
            b.write(rest);
        }
        b.write(v, 0, v.length);
    }

    public RawHttp2Client frame(int type, int flags, int streamId, byte[] payload) throws IOException {
        byte[] head = {(byte) (payload.length >>> 16), (byte) (payload.length >>> 8), (byte) payload.length,
                (byte) type, (byte) flags, (byte) (streamId >>> 24), (byte) (streamId >>> 16), (byte) (streamId >>> 8), (byte) streamId};
        out.write(head);
        out.write(payload);
        return this;
    }

    /** Bytes as they are, e.g. a frame cut short. */
    public RawHttp2Client raw(byte[] bytes) throws IOException {
        out.write(bytes);
        return this;
    }

    public RawHttp2Client rst(int streamId, int errorCode) throws IOException {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        writeInt(p, errorCode);
        return frame(RST_STREAM, 0, streamId, p.toByteArray());
    }

    public RawHttp2Client ping() throws IOException {
        return frame(PING, 0, 0, new byte[8]);
    }

    public void flush() throws IOException {
        out.flush();
    }

    /**
     * Reads frames until one matches or the connection ends or {@code timeout} passes.
     *
     * @param whileWaiting run between reads (e.g. to send a PING); may be null
     * @return the matching frame, or null
     */
    public Frame readUntil(Predicate<Frame> match, Duration timeout, IoAction whileWaiting) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                int length = (in.readUnsignedByte() << 16) | (in.readUnsignedByte() << 8) | in.readUnsignedByte();
                int type = in.readUnsignedByte();
                int flags = in.readUnsignedByte();
                int stream = in.readInt() & 0x7fffffff;
                byte[] payload = new byte[length];
                in.readFully(payload);
                Frame f = new Frame(type, flags, stream, payload);
                track(f);
                if (match.test(f)) {
                    return f;
                }
            } catch (SocketTimeoutException e) {
                if (whileWaiting != null) {
                    whileWaiting.run();
                }
            } catch (EOFException | java.net.SocketException e) {
                return null;
            }
        }
        return null;
    }

    /** What the server sent on {@code streamId} so far (an empty state if nothing). */
    public StreamState stream(int streamId) {
        return streams.computeIfAbsent(streamId, id -> new StreamState());
    }

    /**
     * Reads frames until every one of {@code streamIds} satisfies {@code done}, the connection ends or
     * {@code timeout} passes.
     *
     * @return whether all were done
     */
    public boolean awaitStreams(Predicate<StreamState> done, Duration timeout, IoAction whileWaiting, int... streamIds)
            throws IOException {
        Predicate<Frame> allDone = f -> {
            for (int id : streamIds) {
                if (!done.test(stream(id))) {
                    return false;
                }
            }
            return true;
        };
        return allDone.test(null) || readUntil(allDone, timeout, whileWaiting) != null;
    }

    /** Keeps what each stream received; HEADERS must be decoded in order, since HPACK has state. */
    private void track(Frame f) {
        if (f.streamId() == 0) {
            return;
        }
        StreamState state = stream(f.streamId());
        switch (f.type()) {
            case HEADERS -> {
                ByteBuf block = Unpooled.wrappedBuffer(f.payload());
                try {
                    Http2Headers decoded = hpack.decodeHeaders(f.streamId(), block);
                    if (state.headers == null) {
                        state.headers = decoded;
                    }
                } catch (Http2Exception e) {
                    throw new IllegalStateException("the server sent a header block that does not decode", e);
                } finally {
                    block.release();
                }
                state.ended |= (f.flags() & END_STREAM) != 0;
            }
            case DATA -> {
                state.body.writeBytes(f.payload());
                state.ended |= (f.flags() & END_STREAM) != 0;
            }
            case RST_STREAM -> state.resetCode = f.errorCode();
            default -> {
            }
        }
    }

    /** Whether the server closed the connection within {@code timeout} (reads to the end). */
    public boolean closedWithin(Duration timeout) throws IOException {
        return readUntil(f -> false, timeout, null) == null && isClosedByPeer();
    }

    private boolean isClosedByPeer() {
        try {
            socket.setSoTimeout(500);
            return in.read() == -1;
        } catch (IOException e) {
            return true;
        }
    }

    /** An I/O step run while waiting for frames. */
    @FunctionalInterface
    public interface IoAction {
        void run() throws IOException;
    }

    private static void writeInt(ByteArrayOutputStream b, int v) {
        b.write(v >>> 24);
        b.write(v >>> 16);
        b.write(v >>> 8);
        b.write(v);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
