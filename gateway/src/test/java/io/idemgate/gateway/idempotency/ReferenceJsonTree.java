package io.idemgate.gateway.idempotency;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The tree {@link ReferenceCanonicalJson} was built on, frozen as of the first release (a copy of
 * {@code JsonTree} then), so the oracle does not move when the main tree changes.
 *
 * <p>A minimal JSON tree read with Jackson's streaming parser: objects are {@link TreeMap}s (keys sorted by
 * UTF-16 code units; a duplicate key keeps its last value, as JavaScript's JSON.parse does), arrays
 * {@link ArrayList}s, strings {@link String}s, numbers {@link Number}s holding their source text,
 * {@link Boolean}s and {@link Literal#NULL}. Nesting is bounded so a hostile body cannot exhaust the stack.
 */
final class ReferenceJsonTree {

    static final int MAX_DEPTH = 128;

    /** What {@link #find} answers when the pointer names nothing. */
    static final Object ABSENT = new Object();

    enum Literal { NULL }

    /** A JSON number as written; {@link CanonicalJson} decides its canonical form. */
    record Number(String text) {
    }

    // Attacker-chosen field names must not end up in the JVM's string pool.
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
            .build();

    private ReferenceJsonTree() {
    }

    /** Parses exactly one JSON value; trailing content other than whitespace is an error. */
    static Object parse(byte[] json) throws InvalidJsonException {
        try (JsonParser parser = FACTORY.createParser(json)) {
            Object root = read(parser, parser.nextToken(), 0);
            if (parser.nextToken() != null) {
                throw new InvalidJsonException("is not JSON: content after the value");
            }
            return root;
        } catch (IOException e) {
            throw new InvalidJsonException("is not JSON");
        }
    }

    private static Object read(JsonParser parser, JsonToken token, int depth) throws IOException, InvalidJsonException {
        if (token == null) {
            throw new InvalidJsonException("is not JSON");
        }
        switch (token) {
            case START_OBJECT -> {
                checkDepth(depth);
                TreeMap<String, Object> object = new TreeMap<>();
                String name;
                while ((name = parser.nextFieldName()) != null) {
                    object.put(name, read(parser, parser.nextToken(), depth + 1));
                }
                return object;
            }
            case START_ARRAY -> {
                checkDepth(depth);
                List<Object> array = new ArrayList<>();
                JsonToken next;
                while ((next = parser.nextToken()) != JsonToken.END_ARRAY) {
                    array.add(read(parser, next, depth + 1));
                }
                return array;
            }
            case VALUE_STRING -> {
                return parser.getText();
            }
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                return new Number(parser.getText());
            }
            case VALUE_TRUE -> {
                return Boolean.TRUE;
            }
            case VALUE_FALSE -> {
                return Boolean.FALSE;
            }
            case VALUE_NULL -> {
                return Literal.NULL;
            }
            default -> throw new InvalidJsonException("is not JSON");
        }
    }

    private static void checkDepth(int depth) throws InvalidJsonException {
        if (depth >= MAX_DEPTH) {
            throw new InvalidJsonException("nests deeper than " + MAX_DEPTH + " levels");
        }
    }

    /** The value at {@code pointer}, or {@link #ABSENT}. */
    static Object find(Object root, JsonPointer pointer) {
        return find(root, pointer.tokens(), pointer.tokens().size());
    }

    private static Object find(Object root, List<String> tokens, int count) {
        Object node = root;
        for (int i = 0; i < count && node != ABSENT; i++) {
            node = child(node, tokens.get(i));
        }
        return node;
    }

    private static Object child(Object node, String token) {
        if (node instanceof Map<?, ?> object) {
            Object value = object.get(token);
            return value == null ? ABSENT : value;
        }
        if (node instanceof List<?> array) {
            int index = JsonPointer.arrayIndex(token);
            return index >= 0 && index < array.size() ? array.get(index) : ABSENT;
        }
        return ABSENT;
    }

    /**
     * Removes every value the pointers name. All pointers are resolved against the tree as given before
     * anything is removed, so {@code /a/0} and {@code /a/1} remove the first two elements whatever the order.
     * Pointers naming nothing are ignored; the root pointer is not allowed.
     */
    static void removeAll(Object root, List<JsonPointer> pointers) {
        Map<Map<?, ?>, List<String>> fields = new IdentityHashMap<>();
        Map<List<?>, TreeSet<Integer>> elements = new IdentityHashMap<>();
        for (JsonPointer pointer : pointers) {
            List<String> tokens = pointer.tokens();
            if (tokens.isEmpty()) {
                throw new IllegalArgumentException("cannot remove the whole document");
            }
            Object parent = find(root, tokens, tokens.size() - 1);
            String last = tokens.get(tokens.size() - 1);
            if (parent instanceof Map<?, ?> object) {
                fields.computeIfAbsent(object, o -> new ArrayList<>()).add(last);
            } else if (parent instanceof List<?> array) {
                int index = JsonPointer.arrayIndex(last);
                if (index >= 0 && index < array.size()) {
                    elements.computeIfAbsent(array, a -> new TreeSet<>()).add(index);
                }
            }
        }
        fields.forEach((object, names) -> names.forEach(object::remove));
        elements.forEach((array, indexes) -> indexes.descendingSet().forEach(i -> array.remove((int) i)));
    }
}
