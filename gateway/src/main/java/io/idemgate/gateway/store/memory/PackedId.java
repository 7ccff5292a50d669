package io.idemgate.gateway.store.memory;

/**
 * A record id as a map key. The gateway's ids ({@code RecordKey#storageId()}) are 64 lower-case hex
 * characters: packed here as four longs, one 48-byte object instead of a String and its 80-byte array.
 * Any other id (tests, tools) is kept as its String, so the store still takes every id.
 *
 * <p>Immutable; equal ids give equal keys whichever way they were made.
 */
final class PackedId {

    private static final int HEX_LENGTH = 64;

    private final long a;
    private final long b;
    private final long c;
    private final long d;
    /** The id itself when it is not 64 lower-case hex characters; null when packed. */
    private final String other;

    private PackedId(long a, long b, long c, long d, String other) {
        this.a = a;
        this.b = b;
        this.c = c;
        this.d = d;
        this.other = other;
    }

    static PackedId of(String id) {
        if (id.length() != HEX_LENGTH || !Hex.isLowerHex(id)) {
            return new PackedId(0, 0, 0, 0, id);
        }
        return new PackedId(Hex.parse(id, 0), Hex.parse(id, 16), Hex.parse(id, 32), Hex.parse(id, 48), null);
    }

    /** An estimate of the heap this key holds: itself, and the String it keeps when not packed. */
    long retainedBytes() {
        return other == null ? Footprint.PACKED_ID : Footprint.PACKED_ID + Footprint.STRING + Footprint.array(2L * other.length());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PackedId that && a == that.a && b == that.b && c == that.c && d == that.d
                && (other == null ? that.other == null : other.equals(that.other));
    }

    @Override
    public int hashCode() {
        // A SHA-256 digest: its first 64 bits are as good a hash as any.
        return other != null ? other.hashCode() : (int) (a ^ (a >>> 32));
    }

    @Override
    public String toString() {
        return other != null ? other : Hex.format(a) + Hex.format(b) + Hex.format(c) + Hex.format(d);
    }
}
