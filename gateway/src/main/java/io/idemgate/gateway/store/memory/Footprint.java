package io.idemgate.gateway.store.memory;

/**
 * What the store's objects weigh on a 64-bit JVM with compressed references (heaps under 32 GB), the
 * gateway's setting: 12-byte object headers, 4-byte references, sizes rounded up to 8 bytes. The byte
 * estimate ({@code store.memory.max-bytes}, the fill gauge) adds these up per record, so it follows the
 * real layout; checked against a class histogram of a filled store (docs/performance.md).
 */
final class Footprint {

    /** A {@code ConcurrentHashMap} node, plus its share of the table (load under 0.75, 4-byte slots). */
    static final long MAP_ENTRY = 32 + 8;
    static final long PACKED_ID = 48;
    static final long SLOT = 72;
    /** A reference in the expiry second's bucket array, plus its share of the array's unused room. */
    static final long INDEX_ENTRY = 8;
    /** A String's own object, without its array. */
    static final long STRING = 24;
    /** A body kept as many chunks: the BodyChunks object and its list, without the arrays. */
    static final long CHUNKED_BODY = 24 + 16 + 16;
    /** A body the store does not hold itself (fetched on demand): a rough allowance. */
    static final long OTHER_BODY = 64;

    private Footprint() {
    }

    /** A byte array of {@code length} bytes: 16-byte header, rounded up to 8. */
    static long array(long length) {
        return (16 + length + 7) & ~7L;
    }

    /** A String of {@code length} characters, counted as if each took two bytes (never under). */
    static long string(String s) {
        return STRING + array(2L * s.length());
    }
}
