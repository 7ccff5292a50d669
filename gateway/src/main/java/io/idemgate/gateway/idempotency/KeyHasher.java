package io.idemgate.gateway.idempotency;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The {@code key_hash} that logs and the admin API show instead of a key: HMAC-SHA-256 under a secret,
 * cut to 16 hex characters. A plain hash would let anyone with the logs recover guessable keys (order
 * numbers, timestamps) by hashing candidates; under a secret they cannot. The secret is
 * {@code logging.key-hash-secret}, or random per process when unset (lines then correlate within one
 * process only). Thread-safe.
 */
public final class KeyHasher {

    private static final String ALGORITHM = "HmacSHA256";
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final ThreadLocal<Mac> mac;

    private KeyHasher(byte[] secret) {
        SecretKeySpec spec = new SecretKeySpec(secret, ALGORITHM);
        this.mac = ThreadLocal.withInitial(() -> {
            try {
                Mac m = Mac.getInstance(ALGORITHM);
                m.init(spec);
                return m;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HMAC-SHA-256 is part of every JDK", e);
            }
        });
    }

    /** @param secret UTF-8 bytes of the configured secret; empty for a random one */
    public static KeyHasher withSecret(String secret) {
        if (secret.isEmpty()) {
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            return new KeyHasher(random);
        }
        return new KeyHasher(secret.getBytes(StandardCharsets.UTF_8));
    }

    /** 16 lower-case hex characters (64 bits): enough to tell keys apart in logs, too short to matter if leaked. */
    public String hash(String key) {
        byte[] d = mac.get().doFinal(key.getBytes(StandardCharsets.UTF_8));
        char[] out = new char[16];
        for (int i = 0; i < 8; i++) {
            out[2 * i] = HEX[(d[i] >> 4) & 0xf];
            out[2 * i + 1] = HEX[d[i] & 0xf];
        }
        return new String(out);
    }
}
