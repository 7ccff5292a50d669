package io.idemgate.gateway.idempotency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class JsonPointerTest {

    @Test
    void tokensAreUnescapedPerRfc6901() {
        assertThat(JsonPointer.parse("/a~1b/m~0n/~01").tokens()).containsExactly("a/b", "m~n", "~1");
        assertThat(JsonPointer.parse("/").tokens()).containsExactly("");
        assertThat(JsonPointer.parse("//x/").tokens()).containsExactly("", "x", "");
        assertThat(JsonPointer.parse("").isRoot()).isTrue();
    }

    @Test
    void toStringEscapesBack() {
        assertThat(JsonPointer.parse("/a~1b/m~0n/~01")).hasToString("/a~1b/m~0n/~01");
    }

    @Test
    void malformedPointersAreRejected() {
        for (String bad : List.of("a", "/a~", "/a~2", "#/a")) {
            assertThatThrownBy(() -> JsonPointer.parse(bad)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void arrayIndexesHaveNoLeadingZeroOrSign() {
        assertThat(JsonPointer.arrayIndex("0")).isZero();
        assertThat(JsonPointer.arrayIndex("12")).isEqualTo(12);
        assertThat(JsonPointer.arrayIndex("01")).isEqualTo(-1);
        assertThat(JsonPointer.arrayIndex("-")).isEqualTo(-1);
        assertThat(JsonPointer.arrayIndex("-1")).isEqualTo(-1);
        assertThat(JsonPointer.arrayIndex("")).isEqualTo(-1);
        assertThat(JsonPointer.arrayIndex("99999999999")).isEqualTo(-1);
    }
}
