package io.idemgate.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.idemgate.gateway.testsupport.GatewayFixture;
import io.idemgate.gateway.testsupport.RedisServer;
import io.idemgate.gateway.testsupport.TestJson;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue #13: the {@code /admin/records} suite on a real redis-server (same answers as on the memory store),
 * and what only a shared store can show: a record made through one gateway is inspected and purged through
 * another's admin port.
 */
class AdminRecordsRedisIT extends AdminRecordsIT {

    private RedisServer redis;

    @Override
    protected String storeConfig() {
        redis = RedisServer.start();
        return "idemgate.store { type = redis, redis { uri = \"" + redis.uri() + "\", command-timeout = 3s } }";
    }

    @Override
    protected void stopStore() {
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void aRecordMadeThroughAnotherGatewayIsShownAndPurgedHere() throws Exception {
        try (GatewayFixture other = GatewayFixture.start(config(bed.upstream().url(), TOKEN))) {
            HttpResponse<String> first = post(other, "/pay/orders");
            assertThat(first.statusCode()).isEqualTo(201);

            Map<String, Object> record = TestJson.object(admin("GET", "route=pay&key=" + key + "&body=true", TOKEN).body());
            assertThat(record).containsEntry("state", "completed").containsEntry("status", 201L)
                    .containsEntry("body", first.body());

            assertThat(admin("DELETE", "route=pay&key=" + key, TOKEN).statusCode()).isEqualTo(200);
            HttpResponse<String> retry = post(other, "/pay/orders");
            assertThat(retry.statusCode()).isEqualTo(201);
            assertThat(retry.headers().firstValue("Idempotent-Replayed")).as("purged on the shared store").isEmpty();
            assertThat(retry.body()).isNotEqualTo(first.body());
            assertThat(bed.upstream().requestCount()).isEqualTo(2);
        }
    }
}
