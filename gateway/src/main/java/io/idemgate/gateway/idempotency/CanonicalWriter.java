package io.idemgate.gateway.idempotency;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;

/**
 * Writes the canonical form while Jackson's streaming parser reads, with no tree in between: each object's
 * members are written in the order they come and, only when that order is not already sorted (or a key
 * repeats), moved into order in place once the object ends. Ignored values are matched against the path
 * while reading and skipped (still validated, as a parser building the whole tree would).
 *
 * <p>One per thread, reused: its buffers grow to the largest body seen, up to {@link #RETAINED_BYTES}.
 * Not reentrant; {@link #canonicalize} resets it.
 */
final class CanonicalWriter {

    /** Buffers larger than this are dropped after use, so one huge body does not pin memory per thread. */
    private static final int RETAINED_BYTES = 1 << 20;

    /** Stands for a number beyond range; canonical text never holds a raw NUL (it is escaped). */
    private static final byte OUT_OF_RANGE = 0;

    private final CanonicalOutput out = new CanonicalOutput(4096);

    // The members of the objects being written, innermost last: key, and where "key":value starts and ends.
    private String[] keys = new String[64];
    private int[] starts = new int[64];
    private int[] ends = new int[64];
    private int members;
    private int peakMembers;

    // Which ignore pointers still match the path to the value being read: ranges of this stack.
    private int[] alive = new int[16];

    private List<JsonPointer> pointers;
    private boolean numberOutOfRange;

    private int maxDepth = JsonTree.MAX_DEPTH;

    // Scratch for reordering an object's members.
    private byte[] scratch = new byte[0];
    private int[] order = new int[16];
    private int[] sortBuffer = new int[16];

    /**
     * Reads one value from {@code parser} (positioned before it) and writes its canonical form.
     *
     * @return the canonical bytes, valid until the next call on this thread
     */
    CanonicalOutput canonicalize(JsonParser parser, List<JsonPointer> ignored, int maxDepth)
            throws IOException, InvalidJsonException {
        this.maxDepth = maxDepth;
        out.size = 0;
        members = 0;
        numberOutOfRange = false;
        pointers = ignored;
        int pointerCount = ignored.size();
        ensureAlive(pointerCount);
        for (int i = 0; i < pointerCount; i++) {
            alive[i] = i;
        }
        value(parser, parser.nextToken(), 0, 0, pointerCount);
        if (parser.nextToken() != null) {
            throw new InvalidJsonException("is not JSON: content after the value");
        }
        return out;
    }

    /** Whether the output of the last {@link #canonicalize} holds a number beyond range. */
    boolean numberOutOfRange() {
        if (numberOutOfRange) {
            for (int i = 0; i < out.size; i++) {
                if (out.bytes[i] == OUT_OF_RANGE) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Drops buffers grown beyond {@link #RETAINED_BYTES}; call when done with the output. */
    void trim() {
        pointers = null;
        if (out.bytes.length > RETAINED_BYTES) {
            out.bytes = new byte[4096];
        }
        if (scratch.length > RETAINED_BYTES) {
            scratch = new byte[0];
        }
        if (keys.length > RETAINED_BYTES / 64) {
            keys = new String[64];
            starts = new int[64];
            ends = new int[64];
            order = new int[16];
            sortBuffer = new int[16];
        }
        Arrays.fill(keys, 0, Math.min(peakMembers, keys.length), null); // no body's field names outlive it
        peakMembers = 0;
    }

    /**
     * @param level how many containers enclose the value
     * @param from  start of the alive pointers (their first {@code level} tokens match the path)
     * @param to    end of the alive pointers
     */
    private void value(JsonParser parser, JsonToken token, int level, int from, int to)
            throws IOException, InvalidJsonException {
        if (token == null) {
            throw new InvalidJsonException("is not JSON");
        }
        switch (token) {
            case START_OBJECT -> object(parser, level, from, to);
            case START_ARRAY -> array(parser, level, from, to);
            case VALUE_STRING -> out.writeString(parser.getTextCharacters(), parser.getTextOffset(), parser.getTextLength());
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                if (!out.writeNumber(parser.getTextCharacters(), parser.getTextOffset(), parser.getTextLength())) {
                    // Judged at the end, as the tree reader did: only if it survives (a repeated key may drop it).
                    numberOutOfRange = true;
                    out.write(OUT_OF_RANGE);
                }
            }
            case VALUE_TRUE -> out.writeAscii("true");
            case VALUE_FALSE -> out.writeAscii("false");
            case VALUE_NULL -> out.writeAscii("null");
            default -> throw new InvalidJsonException("is not JSON");
        }
    }

    private void object(JsonParser parser, int level, int from, int to) throws IOException, InvalidJsonException {
        checkDepth(level);
        out.write('{');
        int base = members;
        boolean sorted = true;
        String previous = null;
        String name;
        while ((name = parser.nextFieldName()) != null) {
            JsonToken token = parser.nextToken();
            int childTo = to;
            if (from < to) {
                childTo = matchMember(name, level, from, to);
                if (childTo < 0) {
                    skip(parser, token, level + 1);
                    continue;
                }
            }
            if (members > base) {
                out.write(',');
            }
            int start = out.size;
            out.writeString(name);
            out.write(':');
            value(parser, token, level + 1, to, childTo);
            pushMember(name, start, out.size);
            if (previous != null && name.compareTo(previous) <= 0) {
                sorted = false;
            }
            previous = name;
        }
        if (!sorted) {
            reorder(base);
        }
        members = base;
        out.write('}');
    }

    private void array(JsonParser parser, int level, int from, int to) throws IOException, InvalidJsonException {
        checkDepth(level);
        out.write('[');
        int index = 0;
        boolean first = true;
        JsonToken token;
        while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
            int childTo = to;
            if (from < to) {
                childTo = matchElement(index, level, from, to);
            }
            index++;
            if (childTo < 0) {
                skip(parser, token, level + 1);
                continue;
            }
            if (!first) {
                out.write(',');
            }
            first = false;
            value(parser, token, level + 1, to, childTo);
        }
        out.write(']');
    }

    /** Reads an ignored value as {@link #value} would, writing nothing; its numbers are not judged. */
    private void skip(JsonParser parser, JsonToken token, int level) throws IOException, InvalidJsonException {
        if (token == null) {
            throw new InvalidJsonException("is not JSON");
        }
        switch (token) {
            case START_OBJECT -> {
                checkDepth(level);
                while (parser.nextFieldName() != null) {
                    skip(parser, parser.nextToken(), level + 1);
                }
            }
            case START_ARRAY -> {
                checkDepth(level);
                JsonToken next;
                while ((next = parser.nextToken()) != JsonToken.END_ARRAY) {
                    skip(parser, next, level + 1);
                }
            }
            case VALUE_STRING -> parser.getTextCharacters(); // decodes it: invalid UTF-8 is still an error
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT, VALUE_TRUE, VALUE_FALSE, VALUE_NULL -> {
            }
            default -> throw new InvalidJsonException("is not JSON");
        }
    }

    private void checkDepth(int level) throws InvalidJsonException {
        if (level >= maxDepth) {
            throw new InvalidJsonException("nests deeper than " + maxDepth + " levels", true);
        }
    }

    /**
     * Pushes the pointers of {@code [from, to)} whose token at {@code level} is {@code name} onto the alive
     * stack from {@code to}; returns the new end, or -1 when one of them ends here (the member is ignored).
     */
    private int matchMember(String name, int level, int from, int to) {
        int end = to;
        for (int i = from; i < to; i++) {
            List<String> tokens = pointers.get(alive[i]).tokens();
            if (tokens.get(level).equals(name)) {
                if (tokens.size() == level + 1) {
                    return -1;
                }
                ensureAlive(end + 1);
                alive[end++] = alive[i];
            }
        }
        return end;
    }

    /** As {@link #matchMember}, for the element at {@code index} of an array. */
    private int matchElement(int index, int level, int from, int to) {
        int end = to;
        for (int i = from; i < to; i++) {
            List<String> tokens = pointers.get(alive[i]).tokens();
            if (JsonPointer.arrayIndex(tokens.get(level)) == index) {
                if (tokens.size() == level + 1) {
                    return -1;
                }
                ensureAlive(end + 1);
                alive[end++] = alive[i];
            }
        }
        return end;
    }

    private void ensureAlive(int size) {
        if (size > alive.length) {
            alive = Arrays.copyOf(alive, Math.max(size, alive.length * 2));
        }
    }

    private void pushMember(String key, int start, int end) {
        if (members == keys.length) {
            int grown = members * 2;
            keys = Arrays.copyOf(keys, grown);
            starts = Arrays.copyOf(starts, grown);
            ends = Arrays.copyOf(ends, grown);
        }
        keys[members] = key;
        starts[members] = start;
        ends[members] = end;
        members++;
        peakMembers = Math.max(peakMembers, members);
    }

    /** Rewrites the members {@code [base, members)}, the last thing written, sorted; a repeated key keeps its last. */
    private void reorder(int base) {
        int count = members - base;
        int regionStart = starts[base];
        int regionLength = ends[members - 1] - regionStart;
        if (scratch.length < regionLength) {
            scratch = new byte[Math.max(regionLength, scratch.length * 2)];
        }
        System.arraycopy(out.bytes, regionStart, scratch, 0, regionLength);
        if (order.length < count) {
            order = new int[Math.max(count, order.length * 2)];
            sortBuffer = new int[order.length];
        }
        for (int i = 0; i < count; i++) {
            order[i] = base + i;
        }
        sort(0, count);
        out.size = regionStart;
        boolean first = true;
        for (int i = 0; i < count; i++) {
            int member = order[i];
            if (i + 1 < count && keys[order[i + 1]].equals(keys[member])) {
                continue; // the sort is stable: the later duplicate comes next and wins
            }
            if (!first) {
                out.write(',');
            }
            first = false;
            int length = ends[member] - starts[member];
            out.ensure(length);
            System.arraycopy(scratch, starts[member] - regionStart, out.bytes, out.size, length);
            out.size += length;
        }
    }

    /** Stable merge sort of {@code order[from, to)} by key, UTF-16 code unit order. */
    private void sort(int from, int to) {
        if (to - from <= 8) {
            for (int i = from + 1; i < to; i++) {
                int member = order[i];
                int j = i;
                while (j > from && keys[order[j - 1]].compareTo(keys[member]) > 0) {
                    order[j] = order[j - 1];
                    j--;
                }
                order[j] = member;
            }
            return;
        }
        int middle = (from + to) >>> 1;
        sort(from, middle);
        sort(middle, to);
        if (keys[order[middle - 1]].compareTo(keys[order[middle]]) <= 0) {
            return;
        }
        System.arraycopy(order, from, sortBuffer, from, to - from);
        int left = from;
        int right = middle;
        for (int i = from; i < to; i++) {
            if (right >= to || (left < middle && keys[sortBuffer[left]].compareTo(keys[sortBuffer[right]]) <= 0)) {
                order[i] = sortBuffer[left++];
            } else {
                order[i] = sortBuffer[right++];
            }
        }
    }
}
