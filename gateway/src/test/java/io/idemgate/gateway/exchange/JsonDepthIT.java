package io.idemgate.gateway.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import io.idemgate.gateway.testsupport.ProxyTestBed;
import io.idemgate.gateway.testsupport.RawHttpClient;
import java.time.Duration;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** fingerprint.max-json-depth: a JSON body nested deeper is refused with 400 invalid-json, nothing claimed or forwarded. */
class JsonDepthIT {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @AutoClose
    private static ProxyTestBed bed;

    @BeforeAll
    static void start() throws Exception {
        bed = ProxyTestBed.start(url -> "idemgate.routes = [ { name = v1, match { path = \"/v1/**\" }, upstream { urls = [\""
                + url + "\"] }, idempotency { fingerprint { max-json-depth = 16 } } } ]\n");
    }

    private static RawHttpClient.RawResponse post(String key, String json) throws Exception {
        try (RawHttpClient c = RawHttpClient.connect(bed.gateway().port())) {
            c.send("POST /v1/orders HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer t\r\nIdempotency-Key: " + key
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + json.length() + "\r\n\r\n" + json);
            return c.readResponse(WAIT);
        }
    }

    @Test
    void deeperThanTheLimitIs400InvalidJsonAndReachesNoUpstream() throws Exception {
        bed.upstream().clearRequests();
        RawHttpClient.RawResponse r = post("deep-1", "[".repeat(17) + "]".repeat(17));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.bodyAsString()).contains("invalid-json");
        assertThat(bed.upstream().requests()).isEmpty();
        assertThat(bed.gateway().scrapeMetrics().value("idemgate_requests_total", "outcome", "invalid_json")).isEqualTo(1.0);
        // At the limit it is fingerprinted and forwarded as usual.
        assertThat(post("deep-2", "[".repeat(16) + "]".repeat(16)).status()).isEqualTo(200);
        assertThat(bed.upstream().requests()).hasSize(1);
    }
}
