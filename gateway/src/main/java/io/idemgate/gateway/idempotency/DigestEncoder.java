package io.idemgate.gateway.idempotency;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Feeds SHA-256 with an unambiguous encoding: every string and byte run is preceded by its 4-byte
 * big-endian length and every list by its size, so no two different inputs ("a"+"bc", "ab"+"c") share
 * an encoding. Each hash starts with a domain tag so a scope hash can never equal a fingerprint.
 *
 * <p>Threading: one digest per thread, reused because hashing is on every request's path. An encoder
 * lives for one hash on one thread; a nested hash on the same thread gets a fresh digest.
 */
final class DigestEncoder {

    private static final HexFormat HEX = HexFormat.of();
    private static final ThreadLocal<DigestEncoder> PER_THREAD = ThreadLocal.withInitial(DigestEncoder::new);

    private final MessageDigest digest = newSha256();
    private final byte[] lengthBuffer = new byte[4];
    private boolean inUse;

    private DigestEncoder() {
    }

    /** A cleared encoder for this thread, already fed with {@code domain}. Finish it with {@link #hex()}. */
    static DigestEncoder start(String domain) {
        DigestEncoder encoder = PER_THREAD.get();
        if (encoder.inUse) {
            encoder = new DigestEncoder();
        }
        encoder.inUse = true;
        encoder.digest.reset();
        return encoder.string(domain);
    }

    /** Plain SHA-256 of the UTF-8 bytes, in lower-case hex; reproducible with {@code sha256sum}. */
    static String sha256Hex(String text) {
        return HEX.formatHex(newSha256().digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    DigestEncoder integer(int value) {
        lengthBuffer[0] = (byte) (value >>> 24);
        lengthBuffer[1] = (byte) (value >>> 16);
        lengthBuffer[2] = (byte) (value >>> 8);
        lengthBuffer[3] = (byte) value;
        digest.update(lengthBuffer);
        return this;
    }

    DigestEncoder string(String value) {
        return bytes(value.getBytes(StandardCharsets.UTF_8));
    }

    DigestEncoder bytes(byte[] value) {
        integer(value.length);
        digest.update(value);
        return this;
    }

    /** A header: its lower-cased name, then how many values it has (0 when absent), then each value. */
    DigestEncoder header(String lowerCaseName, List<String> values) {
        string(lowerCaseName);
        if (values == null) {
            return integer(0);
        }
        integer(values.size());
        for (String value : values) {
            string(value);
        }
        return this;
    }

    String hex() {
        try {
            return HEX.formatHex(digest.digest());
        } finally {
            inUse = false;
        }
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
