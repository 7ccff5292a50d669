package io.idemgate.gateway.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PathGlobTest {

    @Test
    void literalPatternMatchesOnlyThatPath() {
        PathGlob g = PathGlob.compile("/v1/orders");
        assertThat(g.matches("/v1/orders")).isTrue();
        assertThat(g.matches("/v1/orders/")).isFalse();
        assertThat(g.matches("/v1/order")).isFalse();
        assertThat(g.matches("/v1/orders/1")).isFalse();
    }

    @Test
    void singleStarMatchesExactlyOneNonEmptySegment() {
        PathGlob g = PathGlob.compile("/v1/*/items");
        assertThat(g.matches("/v1/abc/items")).isTrue();
        assertThat(g.matches("/v1//items")).isFalse();
        assertThat(g.matches("/v1/a/b/items")).isFalse();
        assertThat(g.matches("/v1/items")).isFalse();
    }

    @Test
    void doubleStarMatchesAnyDepthIncludingNone() {
        PathGlob g = PathGlob.compile("/v1/payments/**");
        assertThat(g.matches("/v1/payments")).isTrue();
        assertThat(g.matches("/v1/payments/")).isTrue();
        assertThat(g.matches("/v1/payments/p_1")).isTrue();
        assertThat(g.matches("/v1/payments/p_1/refunds/r_2")).isTrue();
        assertThat(g.matches("/v1/paymentsx")).isFalse();
        assertThat(g.matches("/v2/payments/p_1")).isFalse();
    }

    @Test
    void doubleStarInTheMiddleBacktracks() {
        PathGlob g = PathGlob.compile("/api/**/confirm");
        assertThat(g.matches("/api/confirm")).isTrue();
        assertThat(g.matches("/api/a/b/c/confirm")).isTrue();
        assertThat(g.matches("/api/a/confirm/x")).isFalse();
    }

    @Test
    void rootPatternsMatch() {
        assertThat(PathGlob.compile("/").matches("/")).isTrue();
        assertThat(PathGlob.compile("/").matches("/a")).isFalse();
        assertThat(PathGlob.compile("/**").matches("/")).isTrue();
        assertThat(PathGlob.compile("/**").matches("/any/thing")).isTrue();
        assertThat(PathGlob.compile("/**").matches("not-a-path")).isFalse();
    }

    @Test
    void starInsideASegmentIsRejected() {
        assertThatThrownBy(() -> PathGlob.compile("/v1/pay*")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("whole path segments");
        assertThatThrownBy(() -> PathGlob.compile("v1")).hasMessageContaining("start with '/'");
    }
}
