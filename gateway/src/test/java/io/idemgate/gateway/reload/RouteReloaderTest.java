package io.idemgate.gateway.reload;

import static org.assertj.core.api.Assertions.assertThat;

import io.idemgate.gateway.config.ConfigLoader;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RouteReloaderTest {

    @Test
    void replacedPoolsStayOpenForTheLongestConnectPlusResponseTimeout() {
        var routes = ConfigLoader.parse("""
                idemgate.routes = [
                  { name = a, match.path = "/a", upstream { urls = ["http://127.0.0.1:1"], response-timeout = 5s } }
                  { name = b, match.path = "/b",
                    upstream { urls = ["http://127.0.0.1:2"], connect-timeout = 1s, response-timeout = 20s } }
                ]
                """, "t.conf").routes();

        assertThat(RouteReloader.retireDelay(routes)).isEqualTo(Duration.ofSeconds(21));
    }

    @Test
    void theRetireDelayIsCapped() {
        var routes = ConfigLoader.parse("""
                idemgate.routes = [ { name = a, match.path = "/a",
                                      upstream { urls = ["http://127.0.0.1:1"], response-timeout = 1h } } ]
                """, "t.conf").routes();

        assertThat(RouteReloader.retireDelay(routes)).isEqualTo(RouteReloader.MAX_RETIRE_DELAY);
    }
}
