package io.idemgate.gateway.idempotency;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * The streaming {@link CanonicalJson} against {@link ReferenceCanonicalJson}, the first release's tree-based
 * code: on random documents (with repeated and unsorted keys, odd escapes, every number form) and random
 * ignore pointers, both give the same bytes or both refuse the text.
 */
class CanonicalJsonOracleTest {

    private static final String[] KEYS = {"a", "b", "B", "ab", "", "0", "1", "é", "\uFF61", "\uD83D\uDE00", "a/b", "~"};
    private static final String[] NUMBERS = {"0", "-0", "0.0", "-0.000", "1", "-1", "10", "1000", "1.0", "1.50", "12.5",
        "0.5", "-0.50", "0.000001", "0.0000001", "0.00000120", "1e0", "1E+2", "1e-7", "10E-1", "1.5e2", "-2.5E-3",
        "123456789012345678901", "1234567890123456789012", "100000000000000000000", "1000000000000000000000",
        "123456789012345678901.5", "1e999999999", "1e99999999999", "0e-3", "9007199254740993", "3.14159265358979323846"};

    @Property(tries = 1000)
    void streamingEqualsTheReference(@ForAll("seeds") long seed, @ForAll @IntRange(min = 0, max = 3) int pointerCount) {
        Random random = new Random(seed);
        String json = value(random, 0);
        List<String> pointers = new ArrayList<>();
        for (int i = 0; i < pointerCount; i++) {
            pointers.add(pointer(random));
        }
        assertSame(json, pointers);
    }

    @Property(tries = 300)
    void brokenTextIsRefusedAlike(@ForAll("seeds") long seed, @ForAll @IntRange(min = 0, max = 1) int pointerCount) {
        Random random = new Random(seed);
        StringBuilder json = new StringBuilder(value(random, 0));
        int edits = 1 + random.nextInt(3);
        for (int i = 0; i < edits && json.length() > 0; i++) {
            int at = random.nextInt(json.length());
            switch (random.nextInt(3)) {
                case 0 -> json.deleteCharAt(at);
                case 1 -> json.insert(at, "{}[],:\"\\e0-.x ".charAt(random.nextInt(14)));
                default -> json.setLength(at);
            }
        }
        assertSame(json.toString(), pointerCount == 0 ? List.of() : List.of(pointer(random)));
    }

    @Provide
    Arbitrary<Long> seeds() {
        return Arbitraries.longs();
    }

    private static void assertSame(String json, List<String> pointers) {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        Object expected = outcome(() -> ReferenceCanonicalJson.canonicalize(bytes, pointers));
        Object actual = outcome(() -> CanonicalJson.canonicalize(bytes, pointers));
        assertThat(actual).as("%s ignoring %s", json, pointers).isEqualTo(expected);
    }

    private interface Canonicalization {
        byte[] run() throws Exception;
    }

    /** The canonical text, or the kind of refusal (messages may differ). */
    private static Object outcome(Canonicalization canonicalization) {
        try {
            return new String(canonicalization.run(), StandardCharsets.UTF_8);
        } catch (Exception e) {
            return e.getClass().getSimpleName();
        }
    }

    private static String value(Random random, int depth) {
        int kind = random.nextInt(depth >= 5 ? 5 : 8);
        return switch (kind) {
            case 0 -> string(random);
            case 1 -> NUMBERS[random.nextInt(NUMBERS.length)];
            case 2 -> random.nextInt(40) == 0 ? randomNumber(random) : NUMBERS[random.nextInt(NUMBERS.length)];
            case 3 -> new String[] {"true", "false", "null"}[random.nextInt(3)];
            case 4 -> string(random);
            case 5 -> array(random, depth);
            default -> object(random, depth);
        };
    }

    private static String randomNumber(Random random) {
        StringBuilder number = new StringBuilder(random.nextBoolean() ? "-" : "");
        number.append(random.nextInt(3) == 0 ? "0" : String.valueOf(1 + random.nextInt(9)));
        for (int i = random.nextInt(25); i > 0; i--) {
            number.append(random.nextInt(3) == 0 ? '0' : (char) ('0' + random.nextInt(10)));
        }
        if (random.nextBoolean()) {
            number.append('.');
            for (int i = 1 + random.nextInt(12); i > 0; i--) {
                number.append(random.nextInt(2) == 0 ? '0' : (char) ('0' + random.nextInt(10)));
            }
        }
        if (random.nextInt(4) == 0) {
            number.append(random.nextBoolean() ? 'e' : 'E').append(random.nextBoolean() ? "-" : "+").append(random.nextInt(40));
        }
        return number.toString();
    }

    private static String array(Random random, int depth) {
        StringBuilder out = new StringBuilder("[");
        for (int i = random.nextInt(5); i > 0; i--) {
            out.append(space(random)).append(value(random, depth + 1)).append(space(random)).append(i > 1 ? "," : "");
        }
        return out.append(']').toString();
    }

    private static String object(Random random, int depth) {
        StringBuilder out = new StringBuilder("{");
        // Sometimes many members, so the merge sort (not only the insertion sort) is exercised.
        int count = random.nextInt(10) == 0 ? 10 + random.nextInt(40) : random.nextInt(6);
        for (int i = count; i > 0; i--) {
            String key = random.nextInt(4) == 0 ? randomString(random) : KEYS[random.nextInt(KEYS.length)];
            out.append(space(random)).append(quote(key, random)).append(':')
                    .append(value(random, depth + 1)).append(i > 1 ? "," : "");
        }
        return out.append('}').toString();
    }

    private static String string(Random random) {
        return quote(random.nextInt(3) == 0 ? KEYS[random.nextInt(KEYS.length)] : randomString(random), random);
    }

    private static String randomString(Random random) {
        String alphabet = "aAzZ09 ~/é€\n\t\"\\\u0001\u001f\u007f\u0080\u07ff\u0800\uFFFF\uD800\uDBFF\uDC00\uDFFF";
        StringBuilder s = new StringBuilder();
        for (int i = random.nextInt(8); i > 0; i--) {
            s.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return s.toString();
    }

    /** JSON string literal of {@code s}, escaping at random; lone surrogates only as escapes (UTF-8 cannot hold them). */
    private static String quote(String s, Random random) {
        StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean pair = Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
            if (c == '"' || c == '\\' || c < 0x20 || (Character.isSurrogate(c) && !pair) || random.nextInt(5) == 0) {
                out.append(String.format(random.nextBoolean() ? "\\u%04x" : "\\u%04X", (int) c));
            } else if (c == '/' && random.nextBoolean()) {
                out.append("\\/");
            } else {
                out.append(c);
                if (pair) {
                    out.append(s.charAt(++i));
                }
            }
        }
        return out.append('"').toString();
    }

    private static String space(Random random) {
        return random.nextInt(4) == 0 ? " \n\t\r".substring(random.nextInt(4)) : "";
    }

    private static String pointer(Random random) {
        StringBuilder pointer = new StringBuilder();
        for (int i = 1 + random.nextInt(3); i > 0; i--) {
            String token = random.nextBoolean() ? String.valueOf(random.nextInt(4))
                    : KEYS[random.nextInt(KEYS.length)].replace("~", "~0").replace("/", "~1");
            pointer.append('/').append(token);
        }
        return pointer.toString();
    }
}
