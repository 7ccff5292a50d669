package io.idemgate.gateway.idempotency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IdempotencyKeysTest {

    private static final KeyPolicy LENIENT = new KeyPolicy("Idempotency-Key", "", true, 16, false);
    private static final KeyPolicy STRICT = new KeyPolicy("Idempotency-Key", "", true, 16, true);

    private static KeyResult header(String value, KeyPolicy policy) {
        return IdempotencyKeys.fromHeaderValues(List.of(value), policy);
    }

    private static KeyResult body(String json, String pointer) {
        return IdempotencyKeys.fromJsonBody(json.getBytes(StandardCharsets.UTF_8), pointer,
                new KeyPolicy("Idempotency-Key", pointer, true, 16, false));
    }

    private static KeyResult present(String key) {
        return new KeyResult.Present(key);
    }

    private static String reasonOf(KeyResult result) {
        assertThat(result).isInstanceOf(KeyResult.Invalid.class);
        return ((KeyResult.Invalid) result).reason();
    }

    @Nested
    class FromHeader {

        @Test
        void noHeaderIsMissing() {
            assertThat(IdempotencyKeys.fromHeaderValues(List.of(), LENIENT)).isEqualTo(new KeyResult.Missing());
        }

        @Test
        void headerSentTwiceIsInvalidEvenWithTheSameValue() {
            assertThat(reasonOf(IdempotencyKeys.fromHeaderValues(List.of("abc", "abc"), LENIENT)))
                    .isEqualTo("Idempotency-Key header is sent more than once");
        }

        @Test
        void sfStringIsUnquoted() {
            assertThat(header("\"abc-123\"", LENIENT)).isEqualTo(present("abc-123"));
            assertThat(header("\"abc-123\"", STRICT)).isEqualTo(present("abc-123"));
        }

        @Test
        void sfStringEscapesForQuoteAndBackslashAreDecoded() {
            assertThat(header("\"a\\\"b\\\\c\"", STRICT)).isEqualTo(present("a\"b\\c"));
        }

        @ParameterizedTest
        @ValueSource(strings = {"\"a\\nb\"", "\"a\\u0041\"", "\"abc", "\"abc\"x", "\"ab\"c\"", "\"abc\\\"", "\""})
        void malformedSfStringIsInvalid(String value) {
            assertThat(reasonOf(header(value, LENIENT))).contains("not a valid sf-string");
        }

        @Test
        void bareTokenIsAcceptedUnlessStrict() {
            assertThat(header("8e03978e-40d5", LENIENT)).isEqualTo(present("8e03978e-40d5"));
            assertThat(header("a\"b:c/=", LENIENT)).isEqualTo(present("a\"b:c/="));
            assertThat(reasonOf(header("8e03978e-40d5", STRICT)))
                    .isEqualTo("Idempotency-Key header must be an sf-string like \"key\"");
        }

        @Test
        void surroundingWhitespaceIsTrimmed() {
            assertThat(header(" \tabc \t", LENIENT)).isEqualTo(present("abc"));
            assertThat(header("  \"abc\" ", STRICT)).isEqualTo(present("abc"));
        }

        @ParameterizedTest
        @ValueSource(strings = {"", "   ", "\"\"", " \"\" "})
        void emptyKeyIsInvalid(String value) {
            assertThat(reasonOf(header(value, LENIENT))).endsWith("is empty");
        }

        @Test
        void keyOfMaxLengthIsAcceptedOneMoreIsNot() {
            assertThat(header("a".repeat(16), LENIENT)).isEqualTo(present("a".repeat(16)));
            assertThat(reasonOf(header("a".repeat(17), LENIENT))).endsWith("is longer than 16 characters");
        }

        @Test
        void maxLengthCountsTheUnquotedKey() {
            assertThat(header("\"" + "a".repeat(16) + "\"", LENIENT)).isEqualTo(present("a".repeat(16)));
            assertThat(header("\"" + "\\\\".repeat(16) + "\"", LENIENT)).isEqualTo(present("\\".repeat(16)));
        }

        @ParameterizedTest
        @ValueSource(strings = {"clé", "ab c", "a\u0001b", "a\u007fb", "a\tb", "\"a b\""})
        void charactersOutsideVisibleAsciiAreInvalid(String value) {
            assertThat(header(value, LENIENT)).isInstanceOf(KeyResult.Invalid.class);
        }

        @Test
        void nonAsciiOrControlInsideSfStringIsInvalid() {
            assertThat(header("\"clé\"", STRICT)).isInstanceOf(KeyResult.Invalid.class);
            assertThat(header("\"a\u0000b\"", STRICT)).isInstanceOf(KeyResult.Invalid.class);
        }

        @Test
        void reasonsNeverEchoTheKey() {
            String secret = "sk_live_" + "x".repeat(20);
            assertThat(reasonOf(header(secret, LENIENT))).doesNotContain(secret).doesNotContain("sk_live");
            assertThat(reasonOf(header(secret, STRICT))).doesNotContain("sk_live");
        }

        @Test
        void presentKeyIsNotShownByToString() {
            assertThat(present("top-secret-key").toString()).doesNotContain("top-secret-key").contains("length=14");
        }
    }

    @Nested
    class FromJsonBody {

        @Test
        void stringAtPointerIsTheKey() {
            assertThat(body("{\"id\":\"evt_1\",\"type\":\"x\"}", "/id")).isEqualTo(present("evt_1"));
            assertThat(body("{\"data\":{\"items\":[{\"id\":\"a\"},{\"id\":\"b\"}]}}", "/data/items/1/id"))
                    .isEqualTo(present("b"));
        }

        @Test
        void numberAtPointerIsItsText() {
            assertThat(body("{\"id\":1234567890123456}", "/id")).isEqualTo(present("1234567890123456"));
            assertThat(body("{\"id\":1.50}", "/id")).isEqualTo(present("1.50"));
        }

        @Test
        void escapedPointerTokens() {
            assertThat(body("{\"a/b\":{\"c~d\":\"k\"}}", "/a~1b/c~0d")).isEqualTo(present("k"));
        }

        @Test
        void missingValueIsMissing() {
            assertThat(body("{\"other\":\"x\"}", "/id")).isEqualTo(new KeyResult.Missing());
            assertThat(body("{\"items\":[]}", "/items/0")).isEqualTo(new KeyResult.Missing());
            assertThat(body("\"just a string\"", "/id")).isEqualTo(new KeyResult.Missing());
            assertThat(IdempotencyKeys.fromJsonBody(new byte[0], "/id", LENIENT)).isEqualTo(new KeyResult.Missing());
        }

        @ParameterizedTest
        @ValueSource(strings = {"{\"id\":{}}", "{\"id\":[1]}", "{\"id\":true}", "{\"id\":null}"})
        void otherTypesAreInvalid(String json) {
            assertThat(reasonOf(body(json, "/id"))).isEqualTo("key at /id must be a JSON string or number");
        }

        @ParameterizedTest
        @ValueSource(strings = {"id=1", "{\"id\":\"a\"", "{\"id\":\"a\"} x", "{'id':'a'}"})
        void bodyThatIsNotJsonIsInvalid(String body) {
            assertThat(reasonOf(body(body, "/id"))).startsWith("request body ").doesNotContain("id=1");
        }

        @Test
        void sameLengthAndCharsetRulesAsTheHeader() {
            assertThat(reasonOf(body("{\"id\":\"\"}", "/id"))).isEqualTo("key at /id is empty");
            assertThat(reasonOf(body("{\"id\":\"" + "a".repeat(17) + "\"}", "/id"))).endsWith("longer than 16 characters");
            assertThat(body("{\"id\":\"caf\\u00e9\"}", "/id")).isInstanceOf(KeyResult.Invalid.class);
        }

        @Test
        void duplicateMemberKeepsTheLastValueLikeCanonicalJson() {
            assertThat(body("{\"id\":\"first\",\"id\":\"last\"}", "/id")).isEqualTo(present("last"));
        }

        @Test
        void malformedPointerIsAConfigError() {
            assertThatThrownBy(() -> body("{}", "id")).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> new KeyPolicy("Idempotency-Key", "/a~2", true, 16, false))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
