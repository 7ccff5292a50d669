package io.idemgate.loadtest.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class LoadOptionsTest {

    @Test
    void defaultsApplyAndTheTargetSplitsIntoHostPortAndUri() {
        LoadOptions o = LoadOptions.of("--target http://127.0.0.1:18080/v1/orders?x=1");

        assertThat(o.host()).isEqualTo("127.0.0.1");
        assertThat(o.port()).isEqualTo(18080);
        assertThat(o.requestUri()).isEqualTo("/v1/orders?x=1");
        assertThat(o.rate()).isEqualTo(1000);
        assertThat(o.duration()).isEqualTo(Duration.ofSeconds(10));
        assertThat(o.closedLoop()).isFalse();
        assertThat(o.keyHeader()).isEqualTo("Idempotency-Key");
    }

    @Test
    void closedLoopIsABareFlagAndMidRunCommandsRepeat() {
        LoadOptions o = LoadOptions.parse(List.of("--closed-loop", "--target", "http://h:1/", "--mid-run-cmd", "5s:redis-cli shutdown",
                "--mid-run-cmd", "8s:redis-server --daemonize yes"));

        assertThat(o.closedLoop()).isTrue();
        assertThat(o.allowReexecution()).isFalse();
        assertThat(LoadOptions.of("--allow-reexecution --target http://h:1/").allowReexecution()).isTrue();
        assertThat(o.midRunCmds()).containsExactly(
                new LoadOptions.TimedCommand(Duration.ofSeconds(5), "redis-cli shutdown"),
                new LoadOptions.TimedCommand(Duration.ofSeconds(8), "redis-server --daemonize yes"));
    }

    @Test
    void warmupDefaultsToNoneAndIsADuration() {
        assertThat(LoadOptions.of("--target http://h:1/").warmup()).isZero();
        assertThat(LoadOptions.of("--warmup 15s --target http://h:1/").warmup()).hasSeconds(15);
    }

    @Test
    void badFlagsAreNamed() {
        assertThatThrownBy(() -> LoadOptions.of("--rate 10")).hasMessageContaining("--target is required");
        assertThatThrownBy(() -> LoadOptions.of("--target http://h:1/ --duplicate-ratio 1.5")).hasMessageContaining("--duplicate-ratio");
        assertThatThrownBy(() -> LoadOptions.of("--target http://h:1/ --rate 0")).hasMessageContaining("--rate");
        assertThatThrownBy(() -> LoadOptions.of("--target https://h:1/")).hasMessageContaining("--target");
        assertThatThrownBy(() -> LoadOptions.of("--target http://h:1/ --bogus 1")).hasMessageContaining("unknown flag: --bogus");
        assertThatThrownBy(() -> LoadOptions.parse(List.of("--target", "http://h:1/", "--mid-run-cmd", "no-offset")))
                .hasMessageContaining("OFFSET:COMMAND");
    }
}
