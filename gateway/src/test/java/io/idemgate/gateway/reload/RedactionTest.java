package io.idemgate.gateway.reload;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RedactionTest {

    @Test
    void uriPasswordsAreMaskedButHostsStay() {
        assertThat(Redaction.redact("gw.conf: 3: idemgate.store.redis.uri: bad (got \"rediss://user:pa55@h:6380/0\")"))
                .isEqualTo("gw.conf: 3: idemgate.store.redis.uri: bad (got \"rediss://***@h:6380/0\")");
        assertThat(Redaction.redact("redis-sentinel://:pw@h1:26379,h2:26379/#m"))
                .isEqualTo("redis-sentinel://***@h1:26379,h2:26379/#m");
    }

    @Test
    void valuesOfTokenKeysAreHiddenOnTheirOwnLineOnly() {
        String message = """
                Invalid configuration gw.conf (2 problems):
                  gw.conf: 5: idemgate.admin.token: expected a string (got ["s3cret"])
                  gw.conf: 6: idemgate.server.port: must be 0..65535 (got 70000)""";

        assertThat(Redaction.redact(message)).isEqualTo("""
                Invalid configuration gw.conf (2 problems):
                  gw.conf: 5: idemgate.admin.token: expected a string (value hidden)
                  gw.conf: 6: idemgate.server.port: must be 0..65535 (got 70000)""");
    }

    @Test
    void textWithoutSecretsIsUnchanged() {
        String plain = "gw.conf: 1: idemgate.routes[0].upstream.urls[0]: use http:// (got \"https://pay\")";
        assertThat(Redaction.redact(plain)).isEqualTo(plain);
    }
}
