package io.idemgate.gateway.tls;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which single-label upstream hosts get an SNI name of their own (dotted ones get Netty's). */
class UpstreamTlsSniTest {

    @Test
    void singleLabelNamesGetSni() {
        assertThat(UpstreamTls.singleLabelSniName("localhost").getAsciiName()).isEqualTo("localhost");
        assertThat(UpstreamTls.singleLabelSniName("payments").getAsciiName()).isEqualTo("payments");
        assertThat(UpstreamTls.singleLabelSniName("order-service").getAsciiName()).isEqualTo("order-service");
    }

    @Test
    void addressesDottedNamesAndNamesSniCannotSpellAreLeftAlone() {
        assertThat(UpstreamTls.singleLabelSniName("127.0.0.1")).isNull();
        assertThat(UpstreamTls.singleLabelSniName("::1")).isNull();
        assertThat(UpstreamTls.singleLabelSniName("[::1]")).isNull();
        assertThat(UpstreamTls.singleLabelSniName("payments.internal")).isNull(); // Netty sends it itself
        assertThat(UpstreamTls.singleLabelSniName("my_service")).isNull(); // not a host name SNI can carry
        assertThat(UpstreamTls.singleLabelSniName("")).isNull();
    }
}
