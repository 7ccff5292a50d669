package io.idemgate.loadtest.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The ledger opting in to fences: a stale fence is refused without executing, and every request is in its history. */
@Timeout(60)
class LedgerFenceTest {

    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> post(LedgerUpstream up, String key, Long fence) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(up.url() + "/v1/orders"))
                .header("Idempotency-Key", key).POST(HttpRequest.BodyPublishers.ofString("{}"));
        if (fence != null) {
            b.header("Idempotency-Fence", Long.toString(fence));
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void withStaleFencesRejectedALowerOrRepeatedFenceIsRefusedAndRecorded(@TempDir Path dir) throws Exception {
        Path history = dir.resolve("ledger.tsv");
        try (LedgerUpstream up = LedgerUpstream.start(UpstreamOptions.of("--port 0 --threads 1 --stale-fences reject --history " + history))) {
            assertThat(post(up, "k", 5L).statusCode()).isEqualTo(201);
            HttpResponse<String> stale = post(up, "k", 3L);
            assertThat(stale.statusCode()).isEqualTo(409);
            assertThat(stale.body()).contains("\"error\":\"stale_fence\"");
            assertThat(post(up, "k", 5L).statusCode()).isEqualTo(409);
            assertThat(post(up, "k", 6L).statusCode()).isEqualTo(201);
            assertThat(post(up, "other", 1L).statusCode()).isEqualTo(201);
            assertThat(post(up, "k", null).statusCode()).isEqualTo(201); // no fence: nothing to judge it by

            assertThat(up.ledger().lookup("k").orElseThrow().executions()).isEqualTo(3);
            assertThat(up.ledger().statsJson()).contains("\"stale_fences_refused\":2");
        }
        List<String> lines = Files.readAllLines(history);
        assertThat(lines.get(0)).startsWith("# idemgate ledger history v1");
        assertThat(lines.subList(1, lines.size())).extracting(l -> l.replaceAll("\t\\d{10,}\t", "\tT\t")).containsExactly(
                "k\t5\tT\taccepted", "k\t3\tT\tstale", "k\t5\tT\tstale", "k\t6\tT\taccepted", "other\t1\tT\taccepted",
                "k\t-1\tT\taccepted");
    }

    @Test
    void byDefaultAStaleFenceIsExecutedLikeAnyRequest() throws Exception {
        try (LedgerUpstream up = LedgerUpstream.start(UpstreamOptions.of("--port 0 --threads 1"))) {
            assertThat(post(up, "k", 5L).statusCode()).isEqualTo(201);
            assertThat(post(up, "k", 3L).statusCode()).isEqualTo(201);
            assertThat(up.ledger().statsJson()).contains("\"stale_fences_refused\":0");
        }
    }
}
