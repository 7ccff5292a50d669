package io.idemgate.gateway.idempotency;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;

/**
 * Properties over generated JSON documents: canonical form is a fixed point, ignores member order and
 * formatting, and reads numbers by value.
 */
class CanonicalJsonPropertiesTest {

    @Property(tries = 300)
    void canonicalizeIsIdempotent(@ForAll("documents") Object document, @ForAll long seed) throws Exception {
        byte[] once = canonical(write(document, new Random(seed), false));
        assertThat(CanonicalJson.canonicalize(once, List.of())).isEqualTo(once);
    }

    @Property(tries = 300)
    void memberOrderEscapesAndWhitespaceDoNotMatter(@ForAll("documents") Object document,
                                                    @ForAll long seed1, @ForAll long seed2) throws Exception {
        assertThat(canonical(write(document, new Random(seed1), true)))
                .isEqualTo(canonical(write(document, new Random(seed2), true)));
    }

    @Property(tries = 300)
    void numbersCompareByValue(@ForAll("decimals") BigDecimal a, @ForAll @IntRange(min = 0, max = 5) int zeros) throws Exception {
        BigDecimal padded = a.setScale(a.scale() + zeros);
        String exponent = a.unscaledValue() + "e" + (-a.scale());
        assertThat(canonical(padded.toString())).isEqualTo(canonical(a.toPlainString())).isEqualTo(canonical(exponent));
    }

    @Property(tries = 300)
    void differentNumbersStayDifferent(@ForAll("decimals") BigDecimal a, @ForAll("decimals") BigDecimal b) throws Exception {
        boolean sameValue = a.compareTo(b) == 0;
        assertThat(Arrays.equals(canonical(a.toString()), canonical(b.toString()))).isEqualTo(sameValue);
    }

    @Provide
    Arbitrary<BigDecimal> decimals() {
        return Arbitraries.bigIntegers().between(BigInteger.valueOf(-1_000_000_000_000L), BigInteger.valueOf(1_000_000_000_000L))
                .flatMap(unscaled -> Arbitraries.integers().between(-30, 30).map(scale -> new BigDecimal(unscaled, scale)));
    }

    @Provide
    Arbitrary<Object> documents() {
        return value(4);
    }

    private Arbitrary<Object> value(int depth) {
        Arbitrary<Object> leaf = Arbitraries.oneOf(
                Arbitraries.strings().withCharRange(' ', '~').withChars('é', '€', '\n', '"', '\\', '/', '\u0001')
                        .ofMaxLength(8).map(s -> s),
                decimals().map(d -> d),
                Arbitraries.of(Boolean.TRUE, Boolean.FALSE, JsonTree.Literal.NULL).map(v -> v));
        if (depth == 0) {
            return leaf;
        }
        Arbitrary<Object> child = Arbitraries.lazy(() -> value(depth - 1));
        Arbitrary<Object> array = child.list().ofMaxSize(4).map(l -> l);
        Arbitrary<Object> object = Arbitraries.maps(Arbitraries.strings().alpha().ofMaxLength(3), child)
                .ofMaxSize(4).map(m -> m);
        return Arbitraries.frequencyOf(
                Tuple.of(3, leaf), Tuple.of(1, array), Tuple.of(1, object));
    }

    private static byte[] canonical(String json) throws InvalidJsonException {
        return CanonicalJson.canonicalize(json.getBytes(StandardCharsets.UTF_8), List.of());
    }

    /** Serialises {@code node} with random member order and, when {@code noisy}, random whitespace and escapes. */
    private static String write(Object node, Random random, boolean noisy) {
        StringBuilder out = new StringBuilder();
        write(node, random, noisy, out);
        return out.toString();
    }

    private static void write(Object node, Random random, boolean noisy, StringBuilder out) {
        space(random, noisy, out);
        if (node instanceof Map<?, ?> map) {
            List<Map.Entry<?, ?>> members = new ArrayList<>(new LinkedHashMap<>(map).entrySet());
            Collections.shuffle(members, random);
            out.append('{');
            for (int i = 0; i < members.size(); i++) {
                out.append(i > 0 ? "," : "");
                write(members.get(i).getKey(), random, noisy, out);
                out.append(':');
                write(members.get(i).getValue(), random, noisy, out);
            }
            out.append('}');
        } else if (node instanceof List<?> list) {
            out.append('[');
            for (int i = 0; i < list.size(); i++) {
                out.append(i > 0 ? "," : "");
                write(list.get(i), random, noisy, out);
            }
            out.append(']');
        } else if (node instanceof String s) {
            out.append('"');
            for (char c : s.toCharArray()) {
                if (c == '"' || c == '\\' || c < 0x20 || (noisy && random.nextInt(4) == 0)) {
                    out.append(String.format("\\u%04x", (int) c));
                } else {
                    out.append(c);
                }
            }
            out.append('"');
        } else if (node instanceof BigDecimal d) {
            out.append(noisy && random.nextBoolean() ? d.unscaledValue() + "E" + (-d.scale()) : d.toString());
        } else {
            out.append(node == JsonTree.Literal.NULL ? "null" : node.toString());
        }
        space(random, noisy, out);
    }

    private static void space(Random random, boolean noisy, StringBuilder out) {
        if (noisy && random.nextInt(3) == 0) {
            out.append(" \n\t\r".charAt(random.nextInt(4)));
        }
    }
}
