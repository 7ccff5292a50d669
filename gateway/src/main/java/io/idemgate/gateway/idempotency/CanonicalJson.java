package io.idemgate.gateway.idempotency;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One byte form for every JSON text that means the same, so a retry whose client re-serialised the
 * payload still matches its fingerprint:
 * <ul>
 *   <li>no insignificant whitespace;</li>
 *   <li>object keys sorted by UTF-16 code units ({@link String#compareTo}, as RFC 8785 does); a duplicate
 *       key keeps its last value;</li>
 *   <li>strings in UTF-8 with only {@code \"}, {@code \\} and control characters escaped ({@code \b \f \n
 *       \r \t}, else <code>&#92;u00xx</code>); an unpaired surrogate stays a <code>&#92;udxxx</code> escape so it cannot
 *       collide with {@code ?} — so <code>"&#92;u00e9"</code> equals {@code "é"} and {@code "\/"} equals {@code "/"};</li>
 *   <li>numbers by value: as {@code BigDecimal.stripTrailingZeros()} would write them (computed in linear
 *       time by {@link CanonicalNumber}), zero (also {@code -0}) as {@code 0}, so
 *       {@code 1}, {@code 1.0}, {@code 1e0} and {@code 10E-1} are one number. Exact, unlike RFC 8785's
 *       doubles, so two different large amounts never collide.</li>
 * </ul>
 * Written here rather than by Jackson's generator because fingerprints outlive a deployment in the
 * store: a library upgrade that changed escaping would turn every in-flight retry into a 422.
 *
 * <p>Thread-safe: the work is done by a per-thread {@link CanonicalWriter} streaming from Jackson's parser
 * (no tree, no per-member allocation); it is byte for byte the first release's tree-based form, which the
 * tests keep as their oracle.
 */
public final class CanonicalJson {

    // Attacker-chosen field names must not end up in the JVM's string pool.
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
            .build();

    private static final ThreadLocal<CanonicalWriter> PER_THREAD = ThreadLocal.withInitial(CanonicalWriter::new);

    private CanonicalJson() {
    }

    /**
     * @param ignorePointers RFC 6901 pointers of values to drop (an object member or an array element)
     * @throws InvalidJsonException when {@code json} is not one JSON value, nests deeper than
     *                              {@value JsonTree#MAX_DEPTH} levels, or holds a number beyond range
     * @throws IllegalArgumentException when a pointer is malformed or is the root
     */
    public static byte[] canonicalize(byte[] json, List<String> ignorePointers) throws InvalidJsonException {
        List<JsonPointer> pointers = new ArrayList<>(ignorePointers.size());
        for (String pointer : ignorePointers) {
            pointers.add(JsonPointer.parse(pointer));
        }
        return canonicalizeParsed(json, pointers);
    }

    static byte[] canonicalizeParsed(byte[] json, List<JsonPointer> ignorePointers) throws InvalidJsonException {
        return canonicalizeParsed(json, ignorePointers, JsonTree.MAX_DEPTH);
    }

    /** @param maxDepth arrays and objects nested deeper than this are refused ({@link InvalidJsonException#tooDeep()}) */
    static byte[] canonicalizeParsed(byte[] json, List<JsonPointer> ignorePointers, int maxDepth) throws InvalidJsonException {
        boolean ignoresRoot = false;
        for (JsonPointer pointer : ignorePointers) {
            ignoresRoot |= pointer.isRoot();
        }
        CanonicalWriter writer = PER_THREAD.get();
        byte[] canonical;
        boolean numberOutOfRange;
        try (JsonParser parser = FACTORY.createParser(json)) {
            CanonicalOutput out = writer.canonicalize(parser, ignoresRoot ? List.of() : ignorePointers, maxDepth);
            canonical = Arrays.copyOf(out.bytes, out.size);
            numberOutOfRange = writer.numberOutOfRange();
        } catch (com.fasterxml.jackson.core.exc.StreamConstraintsException e) {
            // Jackson's own limits: nesting (beyond 1000) is "too deep" like ours; a number or string too long is not JSON we take.
            boolean nesting = String.valueOf(e.getMessage()).contains("nesting depth");
            throw new InvalidJsonException(nesting ? "nests too deeply" : "is not JSON", nesting);
        } catch (IOException e) {
            throw new InvalidJsonException("is not JSON");
        } finally {
            writer.trim();
        }
        // In this order, as ever: the text must be JSON, then the pointers valid, then the numbers in range.
        if (ignoresRoot) {
            throw new IllegalArgumentException("cannot remove the whole document");
        }
        if (numberOutOfRange) {
            throw new InvalidJsonException("has a number out of range");
        }
        return canonical;
    }

    /** The canonical text of one JSON number; linear in its length (see {@link CanonicalNumber}). */
    static String canonicalNumber(String text) throws InvalidJsonException {
        return CanonicalNumber.of(text.toCharArray(), 0, text.length());
    }
}
