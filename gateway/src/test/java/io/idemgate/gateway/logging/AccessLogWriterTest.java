package io.idemgate.gateway.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.idemgate.gateway.testsupport.TestJson;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AccessLogWriterTest {

    private static final long EPOCH = 1_764_700_000_123L;

    private static AccessRecord record(String path, String keyHash, long fence) {
        return new AccessRecord(EPOCH, "idemgate-io-1-1", "payments", "POST", path, 201, "executed",
                1_234_567, 2_500_000, "127.0.0.1", keyHash, fence, "h2");
    }

    private static String format(boolean json, AccessRecord r) {
        LineBuffer b = new LineBuffer(16); // small: the test grows it mid-line
        new AccessLineFormat(json).append(b, r);
        return b.toString();
    }

    @Test
    void aTextLineHasTheLayoutsShapeAndEveryField() {
        String line = format(false, record("/v1/orders", "a1b2c3d4e5f60718", 3));
        assertThat(line).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.123\\S+ INFO  \\[idemgate-io-1-1] idemgate.access - "
                + "POST /v1/orders 201 key_hash=\"a1b2c3d4e5f60718\" fence=\"3\" route=\"payments\" method=\"POST\" "
                + "path=\"/v1/orders\" status=\"201\" outcome=\"executed\" upstream_ms=\"1.235\" duration_ms=\"2.500\" "
                + "client=\"127.0.0.1\" protocol=\"h2\"\n");
    }

    @Test
    void aJsonLineIsOneObjectWithTheFieldsInKvpList() throws Exception {
        String line = format(true, record("/v1/orders", null, 0));
        assertThat(line).endsWith("\n").doesNotContain("key_hash").doesNotContain("fence");
        Map<String, Object> node = TestJson.object(line);
        assertThat(node).containsEntry("timestamp", EPOCH).containsEntry("loggerName", "idemgate.access")
                .containsEntry("formattedMessage", "POST /v1/orders 201");
        assertThat(node.get("kvpList")).asList().contains(Map.of("route", "payments"), Map.of("upstream_ms", "1.235"),
                Map.of("client", "127.0.0.1"), Map.of("protocol", "h2"));
    }

    @Test
    void requestDataCannotForgeALineInEitherFormat() throws Exception {
        String hostile = "/a\r\n2026 INFO forged\u001b[31m\"\\";
        String text = format(false, record(hostile, null, 0));
        assertThat(text.lines()).hasSize(1);
        assertThat(text).doesNotContain("\u001b").contains("\\u000d\\u000a2026 INFO forged\\u001b[31m\\u0022\\u005c");
        assertThat(TestJson.object(format(true, record(hostile, null, 0))))
                .containsEntry("formattedMessage", "POST " + hostile + " 201");
    }

    @Test
    void nonAsciiRequestDataIsUtf8AsBeforeAndNumbersAreExact() throws Exception {
        // A lone surrogate becomes '?', as String.getBytes(UTF_8) made it when lines were Strings.
        String path = "/caf\u00e9/\u20ac/\ud83d\ude00/\ud800x/\u007f";
        AccessRecord r = new AccessRecord(-1L, "t\u00e9", "r", "GET", path, 404, "no_route", -1, 999_999_999_500L,
                "::1", null, Long.MAX_VALUE, "h2");
        String text = format(false, r);
        assertThat(text).contains(" [t\u00e9] ").contains("GET /caf\u00e9/\u20ac/\ud83d\ude00/?x/\\u007f 404 fence=\"9223372036854775807\"")
                .contains("upstream_ms=\"-\" duration_ms=\"1000000.000\"").contains(":59.999");
        assertThat(TestJson.object(format(true, r))).containsEntry("timestamp", -1L)
                .containsEntry("threadName", "t\u00e9").containsEntry("formattedMessage", "GET /caf\u00e9/\u20ac/\ud83d\ude00/?x/\u007f 404");
    }

    @Test
    void linesAreWrittenInBatchesAndAFullQueueDropsAndCounts() throws Exception {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(sink, true, StandardCharsets.UTF_8);
        AccessLogWriter writer = new AccessLogWriter(false, 4, out);
        try {
            int offered = 0;
            int accepted = 0;
            synchronized (out) { // hold the stream: the writer can take at most one batch and then waits
                for (; offered < 100; offered++) {
                    accepted += writer.offer(record("/" + offered, null, 0)) ? 1 : 0;
                }
            }
            assertThat(writer.dropped()).isEqualTo(offered - accepted).isPositive();
            int expected = accepted;
            await().atMost(Duration.ofSeconds(5)).until(() -> sink.toString(StandardCharsets.UTF_8).lines().count() == expected);
        } finally {
            writer.close();
        }
    }
}
