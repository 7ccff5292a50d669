package io.idemgate.gateway.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import io.idemgate.gateway.idempotency.BodyChunks;
import io.idemgate.gateway.testsupport.Behaviour;
import io.idemgate.gateway.testsupport.DeterministicBytes;
import io.idemgate.gateway.testsupport.ProxyTestBed;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Responses of several MiB, once per store: stored in chunks, replayed byte for byte, streamed to a
 * slow client only as fast as it reads, and never completed with a body the store no longer holds.
 * Chunk fetches are counted by {@code idemgate_store_operation_seconds_count{operation="body_chunk"}}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class LargeReplayIT {

    static final String TOKEN = "large-replay-token";
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final AtomicInteger KEYS = new AtomicInteger();
    private ProxyTestBed bed;
    private String key;

    /** The {@code idemgate.store} config; called once, before the gateway starts. */
    protected abstract String storeConfig();

    protected void stopStore() {
    }

    /** Whether a replay reads its chunks from the store as it goes (so a purge mid-replay cuts it). */
    protected abstract boolean chunksLiveInTheStore();

    @BeforeAll
    void start() throws Exception {
        String store = storeConfig();
        bed = ProxyTestBed.start(url -> store + "\nidemgate.admin.token = \"" + TOKEN + "\"\nidemgate.routes = [\n"
                + "{ name = big, match.path = \"/big/**\", upstream.urls = [\"" + url + "\"], "
                + "idempotency { max-response-body = 32m, wait-timeout = 20s } }\n]\n");
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (bed != null) {
                bed.close();
            }
        } finally {
            stopStore();
        }
    }

    @BeforeEach
    void freshKey() {
        key = "large-" + KEYS.incrementAndGet() + "-" + System.nanoTime();
    }

    @Test
    void aResponseOfSeveralMebibytesIsReplayedByteForByteAndTheUpstreamRunsOnce() throws Exception {
        int size = 6 * 1024 * 1024 + 123;
        bed.upstream().reset(Behaviour.download(size));

        HttpResponse<byte[]> first = post();
        HttpResponse<byte[]> retry = post();

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(sha256(first.body())).isEqualTo(DeterministicBytes.sha256Hex(size));
        assertThat(retry.statusCode()).isEqualTo(200);
        assertThat(retry.headers().firstValue("Idempotent-Replayed")).contains("true");
        assertThat(retry.headers().firstValue("Content-Length")).contains(Integer.toString(size));
        assertThat(sha256(retry.body())).isEqualTo(DeterministicBytes.sha256Hex(size));
        assertThat(bed.upstream().requestCount()).isEqualTo(1);
    }

    @Test
    void aSlowClientIsSentOnlyWhatItCanTakeAndThenTheWholeBody() throws Exception {
        int size = 12 * 1024 * 1024;
        int chunks = size / BodyChunks.CHUNK_SIZE;
        bed.upstream().reset(Behaviour.download(size));
        assertThat(post().statusCode()).isEqualTo(200);
        double before = chunkFetches();

        try (SlowClient client = SlowClient.connect(bed.gateway().port())) {
            client.send(request());
            double paused = awaitChunkFetchesSettle(before);
            assertThat(paused - before).as("chunks fetched while the client reads nothing")
                    .isGreaterThanOrEqualTo(1).isLessThan(chunks);

            SlowClient.Response replay = client.readResponse(WAIT);
            assertThat(replay.head()).contains("Idempotent-Replayed: true");
            assertThat(replay.sha256()).isEqualTo(DeterministicBytes.sha256Hex(size));
            assertThat(replay.length()).isEqualTo(size);
        }
        assertThat(chunkFetches() - before).isEqualTo(chunks);
    }

    @Test
    void aRecordPurgedMidReplayCutsTheConnectionRatherThanSendAWrongBody() throws Exception {
        int size = 12 * 1024 * 1024;
        bed.upstream().reset(Behaviour.download(size));
        assertThat(post().statusCode()).isEqualTo(200);
        double before = chunkFetches();

        try (SlowClient client = SlowClient.connect(bed.gateway().port())) {
            client.send(request());
            awaitChunkFetchesSettle(before);

            HttpResponse<String> purge = bed.gateway().client().send(HttpRequest.newBuilder(
                            bed.gateway().adminUri("/admin/records?route=big&key=" + key))
                    .header("Authorization", "Bearer " + TOKEN).DELETE().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(purge.statusCode()).isEqualTo(200);

            Optional<SlowClient.Response> replay = client.readResponseOrCut(WAIT);
            if (chunksLiveInTheStore()) {
                assertThat(replay).as("the connection was closed before the promised length").isEmpty();
            } else {
                // The memory store's replay holds its chunks: what it started, it finishes whole.
                assertThat(replay).isPresent();
                assertThat(replay.get().sha256()).isEqualTo(DeterministicBytes.sha256Hex(size));
            }
        }
    }

    /** Waits until no chunk has been fetched for a while (bounded), and answers the count then. */
    private double awaitChunkFetchesSettle(double before) {
        double[] last = {before};
        int[] stableFor = {0};
        Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> {
            double now = chunkFetches();
            stableFor[0] = now == last[0] && now > before ? stableFor[0] + 1 : 0;
            last[0] = now;
            return stableFor[0] >= 5;
        });
        return last[0];
    }

    private double chunkFetches() throws Exception {
        return bed.gateway().scrapeMetrics().sum("idemgate_store_operation_seconds_count",
                "operation", ReplayWriter.OPERATION);
    }

    private HttpResponse<byte[]> post() throws Exception {
        return bed.gateway().client().send(HttpRequest.newBuilder(bed.gateway().uri("/big/files")).timeout(WAIT)
                .header("Idempotency-Key", key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private String request() {
        return "POST /big/files HTTP/1.1\r\nHost: test\r\nIdempotency-Key: " + key
                + "\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}";
    }

    static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(digest().digest(bytes));
    }

    static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A client with a small receive buffer that reads nothing until asked, then reads a Content-Length
     * response, hashing the body as it goes (no copy of it is kept).
     */
    private static final class SlowClient implements AutoCloseable {

        record Response(String head, long length, String sha256) {
        }

        private final Socket socket;

        private SlowClient(Socket socket) {
            this.socket = socket;
        }

        static SlowClient connect(int port) throws IOException {
            Socket socket = new Socket();
            socket.setReceiveBufferSize(8 * 1024); // before connect, so the window is small from the start
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            return new SlowClient(socket);
        }

        void send(String raw) throws IOException {
            socket.getOutputStream().write(raw.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
        }

        Response readResponse(Duration timeout) throws IOException {
            return readResponseOrCut(timeout).orElseThrow(() -> new IOException("connection closed mid-body"));
        }

        /** The response, or empty if the peer closed before its whole body arrived. */
        Optional<Response> readResponseOrCut(Duration timeout) throws IOException {
            long deadline = System.nanoTime() + timeout.toNanos();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                int b = read(in, deadline);
                if (b < 0) {
                    return Optional.empty();
                }
                head.write(b);
            }
            String headText = head.toString(StandardCharsets.ISO_8859_1);
            long length = Long.parseLong(headers(headText).get("content-length"));
            MessageDigest digest = digest();
            byte[] buffer = new byte[16 * 1024];
            long read = 0;
            while (read < length) {
                socket.setSoTimeout(remainingMillis(deadline));
                int n;
                try {
                    n = in.read(buffer, 0, (int) Math.min(buffer.length, length - read));
                } catch (SocketTimeoutException e) {
                    throw new AssertionError("body not complete within the timeout: " + read + " of " + length);
                } catch (IOException reset) {
                    return Optional.empty();
                }
                if (n < 0) {
                    return Optional.empty();
                }
                digest.update(buffer, 0, n);
                read += n;
            }
            return Optional.of(new Response(headText, read, HexFormat.of().formatHex(digest.digest())));
        }

        private int read(InputStream in, long deadline) throws IOException {
            socket.setSoTimeout(remainingMillis(deadline));
            try {
                return in.read();
            } catch (SocketTimeoutException e) {
                throw new AssertionError("no response head within the timeout");
            } catch (IOException reset) {
                return -1;
            }
        }

        private static int remainingMillis(long deadline) {
            return (int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
        }

        private static Map<String, String> headers(String head) {
            Map<String, String> headers = new java.util.HashMap<>();
            for (String line : head.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    headers.put(line.substring(0, colon).trim().toLowerCase(), line.substring(colon + 1).trim());
                }
            }
            return headers;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
