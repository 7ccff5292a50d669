package io.idemgate.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.util.List;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** The one start-up line for a store that cannot be used: address, cause, what to check, never the password. */
class StoreStartExceptionTest {

    private static final List<String> URI = List.of("rediss://payments:s3cret@10.0.0.7:6380");

    @Test
    void nothingListeningAsksWhetherRedisRuns() {
        String message = new StoreStartException(URI, new IOException("unable to connect",
                new ConnectException("Connection refused"))).getMessage();
        assertThat(message).isEqualTo("cannot reach Redis at 10.0.0.7:6380: Connection refused; is it running?"
                + " (idemgate.store.redis.uri; IDEMGATE_REDIS_URI in the shipped configs)");
    }

    @Test
    void aRefusedPasswordSaysToCheckTheCredentialsNotWhetherRedisRuns() {
        for (String reply : List.of("WRONGPASS invalid username-password pair or user is disabled.",
                "NOAUTH HELLO must be called with the client already authenticated")) {
            String message = new StoreStartException(URI, new IllegalStateException("handshake failed",
                    new RuntimeException(reply))).getMessage();
            assertThat(message).contains(reply).contains("check the user and password in the URI")
                    .doesNotContain("is it running").doesNotContain("s3cret");
        }
    }

    @Test
    void anUntrustedCertificateSaysToCheckTlsAndTheTrustStore() {
        String message = new StoreStartException(URI, new IllegalStateException("connect failed",
                new SSLHandshakeException("PKIX path building failed"))).getMessage();
        assertThat(message).contains("PKIX path building failed").contains("rediss://")
                .contains("-Djavax.net.ssl.trustStore").doesNotContain("is it running");
    }
}
