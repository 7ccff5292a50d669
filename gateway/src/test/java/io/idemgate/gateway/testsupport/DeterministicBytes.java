package io.idemgate.gateway.testsupport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A reproducible, non-repeating byte sequence for large upload and download tests: byte {@code i}
 * depends only on {@code i}, so any range can be produced (or checked) without holding the whole
 * body, and a misplaced or duplicated chunk changes the SHA-256.
 */
public final class DeterministicBytes {

    private static final int CHUNK = 64 * 1024;

    private DeterministicBytes() {
    }

    public static byte byteAt(long index) {
        return (byte) (mix(index >>> 3) >>> ((index & 7) * 8));
    }

    /** The first {@code size} bytes, in memory: only for small bodies. */
    public static byte[] bytes(int size) {
        byte[] out = new byte[size];
        fill(0, out, 0, size);
        return out;
    }

    public static void fill(long offset, byte[] dst, int dstOffset, int length) {
        for (int i = 0; i < length; i++) {
            dst[dstOffset + i] = byteAt(offset + i);
        }
    }

    /** A buffer holding bytes {@code [offset, offset + length)}; the caller owns (and releases or passes on) it. */
    public static ByteBuf chunk(ByteBufAllocator alloc, long offset, int length) {
        byte[] tmp = new byte[length];
        fill(offset, tmp, 0, length);
        return alloc.buffer(length).writeBytes(tmp);
    }

    /** The first {@code size} bytes as a stream that holds one small buffer at a time. */
    public static InputStream stream(long size) {
        return new InputStream() {
            private long position;

            @Override
            public int read() {
                return position < size ? byteAt(position++) & 0xff : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (position >= size) {
                    return -1;
                }
                int n = (int) Math.min(len, size - position);
                fill(position, b, off, n);
                position += n;
                return n;
            }
        };
    }

    /** Lower-case hex SHA-256 of the first {@code size} bytes, computed in 64 KiB pieces. */
    public static String sha256Hex(long size) {
        MessageDigest digest = sha256();
        byte[] buf = new byte[CHUNK];
        for (long pos = 0; pos < size; pos += CHUNK) {
            int n = (int) Math.min(CHUNK, size - pos);
            fill(pos, buf, 0, n);
            digest.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    private static long mix(long z) {
        // SplitMix64's finaliser: cheap, and no short period for chunk-boundary bugs to hide in.
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
