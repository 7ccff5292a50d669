package io.idemgate.gateway.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AccessLogTest {

    @Test
    void cleanFieldsAreLoggedAsTheyAre() {
        String path = "/v1/orders/%C3%A9";
        assertThat(AccessLog.escape(path)).isSameAs(path);
    }

    @Test
    void controlCharactersQuotesAndBackslashesAreEscaped() {
        assertThat(AccessLog.escape("/a\u0000b\u001b[31m\"\\\u007f\r\n"))
                .isEqualTo("/a\\x00b\\x1b[31m\\x22\\x5c\\x7f\\x0d\\x0a");
    }
}
