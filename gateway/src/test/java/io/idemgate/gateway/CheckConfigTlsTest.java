package io.idemgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.idemgate.gateway.testsupport.TestCertificates;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --check-config} reads every certificate and key file and names the config key of a bad one. */
class CheckConfigTlsTest {

    @Test
    void unreadableAndMismatchedFilesAreReportedByKeyPath(@TempDir Path dir) throws Exception {
        TestCertificates ca = TestCertificates.newCa(dir, "check");
        TestCertificates.Issued good = ca.issue("good");
        TestCertificates.Issued other = ca.issue("other");
        Path config = dir.resolve("gateway.conf");
        Files.writeString(config, """
                idemgate.server.tls { cert = "%s", key = "%s" }
                idemgate.admin.tls { cert = "%s", key = "%s" }
                idemgate.routes = [{ name = r, match.path = "/**",
                  upstream { urls = ["https://localhost:1"], tls.ca = "%s" } }]
                """.formatted(good.cert(), other.key(), dir.resolve("missing.pem"), good.key(), dir.resolve("no-ca.pem")));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int code = GatewayMain.run(new String[] {"--config", config.toString(), "--check-config"},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));

        String message = err.toString(StandardCharsets.UTF_8);
        assertThat(code).isEqualTo(1);
        assertThat(message).contains("idemgate.server.tls: the key " + other.key() + " does not belong to the certificate")
                .contains("idemgate.admin.tls.cert: cannot read " + dir.resolve("missing.pem"))
                .contains("idemgate.routes[0].upstream.tls.ca: cannot read " + dir.resolve("no-ca.pem"));
    }

    @Test
    void goodFilesPass(@TempDir Path dir) throws Exception {
        TestCertificates ca = TestCertificates.newCa(dir, "check");
        TestCertificates.Issued good = ca.issue("good");
        Path config = dir.resolve("gateway.conf");
        Files.writeString(config, "idemgate.server.tls { cert = \"%s\", key = \"%s\" }\n".formatted(good.cert(), good.key()));
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        int code = GatewayMain.run(new String[] {"--config", config.toString(), "--check-config"},
                new PrintStream(out, true, StandardCharsets.UTF_8), System.err);

        assertThat(code).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("configuration OK");
    }
}
