package io.idemgate.gateway.idempotency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CanonicalJsonTest {

    private static String canonical(String json, String... ignore) throws InvalidJsonException {
        return new String(CanonicalJson.canonicalize(json.getBytes(StandardCharsets.UTF_8), List.of(ignore)),
                StandardCharsets.UTF_8);
    }

    @Test
    void objectKeysAreSortedAndWhitespaceDropped() throws Exception {
        assertThat(canonical(" {\n \"b\" : 1 ,\t\"a\": {\"z\": [ 1, 2 ], \"y\": null} } "))
                .isEqualTo("{\"a\":{\"y\":null,\"z\":[1,2]},\"b\":1}");
    }

    @Test
    void keysSortByUtf16CodeUnits() throws Exception {
        // U+FF61 sorts after U+1F600 (surrogates D83D..) by code point, but before it by UTF-16 code unit.
        assertThat(canonical("{\"\uD83D\uDE00\":1,\"\uFF61\":2,\"B\":3,\"a\":4}"))
                .isEqualTo("{\"B\":3,\"a\":4,\"\uD83D\uDE00\":1,\"\uFF61\":2}");
    }

    @Test
    void arrayOrderIsKept() throws Exception {
        assertThat(canonical("[3, [2, 1], {\"b\":[{}], \"a\":[]}]")).isEqualTo("[3,[2,1],{\"a\":[],\"b\":[{}]}]");
    }

    @Test
    void unicodeEscapesAndLiteralCharactersMatch() throws Exception {
        assertThat(canonical("\"caf\\u00e9 \\u20ac \\ud83d\\ude00\"")).isEqualTo(canonical("\"café € \uD83D\uDE00\""))
                .isEqualTo("\"café € \uD83D\uDE00\"");
        assertThat(canonical("\"a\\/b\"")).isEqualTo(canonical("\"a/b\"")).isEqualTo("\"a/b\"");
    }

    @Test
    void onlyQuoteBackslashAndControlCharactersAreEscaped() throws Exception {
        assertThat(canonical("\"q\\\" b\\\\ \\b\\f\\n\\r\\t \\u0001 \\u001F \\u007f\""))
                .isEqualTo("\"q\\\" b\\\\ \\b\\f\\n\\r\\t \\u0001 \\u001f \u007f\"");
    }

    @Test
    void unpairedSurrogateStaysEscapedSoItCannotCollide() throws Exception {
        assertThat(canonical("\"\\ud800\"")).isEqualTo("\"\\ud800\"").isNotEqualTo(canonical("\"?\""));
    }

    @Test
    void numbersAreCanonicalByValue() throws Exception {
        String one = canonical("1");
        for (String same : List.of("1.0", "1e0", "1E0", "10E-1", "0.1e1", "1.000", "100e-2")) {
            assertThat(canonical(same)).as(same).isEqualTo(one);
        }
        assertThat(canonical("[0, -0, 0.0, -0.0e5, 0e-3]")).isEqualTo("[0,0,0,0,0]");
        assertThat(canonical("1000")).isEqualTo(canonical("1e3")).isEqualTo(canonical("1000.00"));
        assertThat(canonical("-2.50")).isEqualTo("-2.5");
        assertThat(canonical("1.5e2")).isEqualTo("150");
        assertThat(canonical("123456789012345678901")).isEqualTo("123456789012345678901");
        assertThat(canonical("1e22")).isEqualTo(canonical("10000000000000000000000")).isEqualTo("1E+22");
        assertThat(canonical("0.000001")).isEqualTo("0.000001");
        assertThat(canonical("1e-7")).isEqualTo("1E-7");
    }

    @Test
    void numbersStayExact() throws Exception {
        assertThat(canonical("12345678901234567890")).isNotEqualTo(canonical("12345678901234567891"));
        assertThat(canonical("0.1")).isNotEqualTo(canonical("0.10000000000000001"));
        assertThat(canonical("1")).isNotEqualTo(canonical("\"1\""));
    }

    @Test
    void hugeExponentIsNotExpanded() throws Exception {
        assertThat(canonical("1e999999999")).isEqualTo("1E+999999999");
        assertThatThrownBy(() -> canonical("1e99999999999")).isInstanceOf(InvalidJsonException.class);
    }

    @Test
    void duplicateKeyKeepsTheLastValue() throws Exception {
        assertThat(canonical("{\"a\":1,\"b\":2,\"a\":3}")).isEqualTo("{\"a\":3,\"b\":2}");
    }

    @Test
    void literalsAndScalarRoots() throws Exception {
        assertThat(canonical(" [true,false,null] ")).isEqualTo("[true,false,null]");
        assertThat(canonical(" \"x\" ")).isEqualTo("\"x\"");
    }

    @Test
    void ignoredFieldsAreRemoved() throws Exception {
        assertThat(canonical("{\"amount\":10,\"meta\":{\"sent_at\":\"t1\",\"client\":\"c\"}}", "/meta/sent_at"))
                .isEqualTo(canonical("{\"meta\":{\"client\":\"c\",\"sent_at\":\"t2\"},\"amount\":10}", "/meta/sent_at"))
                .isEqualTo("{\"amount\":10,\"meta\":{\"client\":\"c\"}}");
    }

    @Test
    void ignoredFieldNamesUseRfc6901Escapes() throws Exception {
        assertThat(canonical("{\"a/b\":1,\"c~d\":2,\"e\":3}", "/a~1b", "/c~0d")).isEqualTo("{\"e\":3}");
    }

    @Test
    void ignoredArrayElementsAreResolvedBeforeAnyRemoval() throws Exception {
        assertThat(canonical("{\"items\":[\"a\",\"b\",\"c\",\"d\"]}", "/items/1", "/items/0", "/items/3"))
                .isEqualTo("{\"items\":[\"c\"]}");
        assertThat(canonical("[{\"ts\":1,\"v\":2},{\"ts\":3,\"v\":4}]", "/0/ts", "/1/ts"))
                .isEqualTo("[{\"v\":2},{\"v\":4}]");
    }

    @Test
    void ignorePointersNamingNothingAreHarmless() throws Exception {
        assertThat(canonical("{\"a\":[1],\"b\":\"s\"}", "/x", "/a/5", "/a/-", "/a/01", "/b/c", "/x/y/z"))
                .isEqualTo("{\"a\":[1],\"b\":\"s\"}");
    }

    @Test
    void ignoringTheWholeDocumentIsRefused() {
        assertThatThrownBy(() -> canonical("{}", "")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void nestingUpToTheLimitIsAccepted() throws Exception {
        String json = "[".repeat(JsonTree.MAX_DEPTH) + "]".repeat(JsonTree.MAX_DEPTH);
        assertThat(canonical(json)).isEqualTo(json);
    }

    @Test
    void deeperNestingIsRejected() {
        int depth = JsonTree.MAX_DEPTH + 1;
        assertThatThrownBy(() -> canonical("[".repeat(depth) + "]".repeat(depth)))
                .isInstanceOf(InvalidJsonException.class).hasMessageContaining("deeper than 128");
        assertThatThrownBy(() -> canonical("{\"a\":".repeat(100_000)))
                .isInstanceOf(InvalidJsonException.class);
    }

    @Test
    void tenThousandLevelsAreRefusedWithoutExhaustingTheStack() {
        int depth = 10_000;
        for (String json : List.of("[".repeat(depth) + "]".repeat(depth), "{\"a\":".repeat(depth) + "1" + "}".repeat(depth),
                "[{\"a\":".repeat(depth / 2) + "1" + "}]".repeat(depth / 2))) {
            assertThatThrownBy(() -> canonical(json)).isInstanceOf(InvalidJsonException.class)
                    .hasMessageContaining("deeper than 128");
            // An ignored subtree is read too, and bounded alike.
            assertThatThrownBy(() -> canonical("{\"skip\":" + json + "}", "/skip")).isInstanceOf(InvalidJsonException.class)
                    .hasMessageContaining("deeper than 128");
        }
    }

    @Test
    void ignoredValuesAreStillValidated() {
        assertThatThrownBy(() -> canonical("{\"skip\":[1,}", "/skip")).isInstanceOf(InvalidJsonException.class);
        byte[] invalidUtf8 = {'{', '"', 's', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
        assertThatThrownBy(() -> CanonicalJson.canonicalize(invalidUtf8, List.of("/s"))).isInstanceOf(InvalidJsonException.class);
    }

    @Test
    void manyUnsortedAndRepeatedKeysSortAndKeepTheLast() throws Exception {
        StringBuilder json = new StringBuilder("{");
        StringBuilder expected = new StringBuilder("{");
        for (int i = 99; i >= 0; i--) {
            json.append(String.format("\"k%02d\":%d,\"k%02d\":{\"z\":%d,\"y\":0},", i, i, i, i));
        }
        for (int i = 0; i <= 99; i++) {
            expected.append(String.format("%s\"k%02d\":{\"y\":0,\"z\":%d}", i > 0 ? "," : "", i, i));
        }
        json.setLength(json.length() - 1);
        assertThat(canonical(json.append('}').toString())).isEqualTo(expected.append('}').toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "{", "{\"a\":1,}", "[1 2]", "{\"a\":1} {}", "{'a':1}", "NaN", "01", "+1",
            "// c\n{}", "{\"a\":\"\u0001\"}", "hello", "{\"a\":1}x"})
    void invalidJsonIsRejected(String text) {
        assertThatThrownBy(() -> canonical(text)).isInstanceOf(InvalidJsonException.class);
    }

    @Test
    void invalidUtf8IsRejected() {
        byte[] bytes = {'"', (byte) 0xC3, (byte) 0x28, '"'};
        assertThatThrownBy(() -> CanonicalJson.canonicalize(bytes, List.of())).isInstanceOf(InvalidJsonException.class);
    }

    @Test
    void errorMessageNeverQuotesTheBody() {
        assertThatThrownBy(() -> canonical("{\"card\": secret4242}"))
                .isInstanceOf(InvalidJsonException.class)
                .hasMessageNotContaining("secret4242")
                .hasNoCause();
    }
}
