package io.idemgate.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ReloadConfigTest {

    @Test
    void theFileIsWatchedByDefault() {
        assertThat(ConfigLoader.parse("", "empty.conf").reload()).isEqualTo(new ReloadConfig(true));
    }

    @Test
    void watchingCanBeTurnedOff() {
        assertThat(ConfigLoader.parse("idemgate.reload.watch-file = false", "t.conf").reload().watchFile()).isFalse();
    }

    @Test
    void aMisspelledReloadKeyIsRejected() {
        assertThatThrownBy(() -> ConfigLoader.parse("idemgate.reload.watch-files = false", "t.conf"))
                .isInstanceOf(ConfigLoadException.class)
                .hasMessageContaining("idemgate.reload.watch-files").hasMessageContaining("watch-file");
    }
}
