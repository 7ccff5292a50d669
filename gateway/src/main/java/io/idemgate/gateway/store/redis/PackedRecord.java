package io.idemgate.gateway.store.redis;

import io.idemgate.gateway.idempotency.BodyChunks;
import io.idemgate.gateway.idempotency.IdempotencyRecord;
import io.idemgate.gateway.idempotency.IdempotencyRecord.Completed;
import io.idemgate.gateway.idempotency.IdempotencyRecord.InFlight;
import io.idemgate.gateway.idempotency.IdempotencyRecord.OutcomeUnknown;
import io.idemgate.gateway.idempotency.StoredBody;
import io.idemgate.gateway.idempotency.StoredResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Format 3 of a record: one Redis string, a one-line text header (state, fence, times, fingerprint, …) and,
 * for a completed record, the stored headers and the body after it (docs/store-format.md, "Format 3"). The
 * scripts read and write the header with one pattern match; a replay reads the whole record with one GET.
 * Records of formats 1 and 2 (hashes) are read by {@link RecordCodec}.
 *
 * <pre>
 * 3 I fence created lease_until unknown_ttl watched fp owner\n
 * 3 U fence created since expires fp\n reason
 * 3 C fence created completed expires fp status omitted headers_length chunks length body_key\n headers body
 * 3 T fence\n
 * </pre>
 *
 * <p>{@code T} is a key's fence tombstone, left in the record's own key by a release or purge: no record, but
 * the next claim's fence must be above it, and a claim by {@code SET … NX} must fail on it.
 *
 * <p>Threading: stateless, any thread. Public only for the micro-benchmarks (microbench module).
 */
public final class PackedRecord {

    /** A completed record whose body is inline (after its headers) names no body key. */
    static final String INLINE = "-";

    private PackedRecord() {
    }

    /**
     * Fingerprints and owners are header words: checked once here, so a space can never shift the header's
     * fields (the gateway makes both: hex, and {@code instance/sequence}).
     */
    static String word(String value, String what) {
        if (value.isEmpty()) {
            throw new IllegalArgumentException(what + " is empty");
        }
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) <= ' ') {
                throw new IllegalArgumentException(what + " contains a space or a control character");
            }
        }
        return value;
    }

    /**
     * What the complete script appends to the header it writes ({@code 3 C fence created completed expires fp }):
     * {@code status omitted headers_length chunks length body_key\n} headers, then the body if it is inline
     * ({@code bodyKey} null).
     */
    static byte[] completedTail(StoredResponse response, BodyChunks body, String bodyKey) {
        byte[] headers = RecordCodec.encodeHeaders(response.headers());
        byte[] inline = bodyKey != null || body.chunkCount() == 0 ? new byte[0] : body.chunkNow(0);
        byte[] line = (response.status() + " " + (response.bodyOmitted() ? "1" : "0") + " " + headers.length + " "
                + body.chunkCount() + " " + body.length() + " " + (bodyKey == null ? INLINE : bodyKey) + "\n")
                .getBytes(StandardCharsets.UTF_8);
        byte[] tail = Arrays.copyOf(line, line.length + headers.length + inline.length);
        System.arraycopy(headers, 0, tail, line.length, headers.length);
        System.arraycopy(inline, 0, tail, line.length + headers.length, inline.length);
        return tail;
    }

    /**
     * The in-flight record a claim of a key without any record writes by one {@code SET … NX GET} (no script):
     * {@code 3 I fence created lease_until unknown_ttl 0 fp owner\n}, as {@code claim.lua} writes it for a new
     * key; {@code createdMillis} (the lease's start) from the caller's estimate of Redis's clock ({@link RedisClock}).
     */
    static byte[] inFlight(long fenceMicros, long createdMillis, long leaseMillis, long unknownTtlMillis,
                           String fingerprint, String owner) {
        long created = createdMillis;
        StringBuilder line = new StringBuilder(48 + fingerprint.length() + owner.length());
        line.append("3 I ").append(fenceMicros).append(' ').append(created).append(' ').append(created + leaseMillis)
                .append(' ').append(unknownTtlMillis).append(" 0 ").append(fingerprint).append(' ').append(owner)
                .append('\n');
        return line.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The lease end of a format-3 in-flight record ({@code 3 I fence created lease_until …}), or -1 for any other
     * value.
     */
    static long leaseUntil(byte[] value) {
        if (!isPacked(value) || value[2] != 'I') {
            return -1;
        }
        Header header = new Header(value);
        header.number();
        header.number();
        return header.number();
    }

    /** A fence tombstone ({@code 3 T fence}): the key has no record. */
    static boolean tombstone(byte[] value) {
        return isPacked(value) && value[2] == 'T';
    }

    /** Whether {@code value} is a record of this format (a record of another version is refused, never misread). */
    static boolean isPacked(byte[] value) {
        return value.length >= 4 && value[0] == '3' && value[1] == ' ' && value[3] == ' ';
    }

    /** A format-3 record that is completed or outcome-unknown (not in flight). */
    static boolean settled(byte[] value) {
        return isPacked(value) && (value[2] == 'C' || value[2] == 'U');
    }

    public static IdempotencyRecord decode(byte[] value, RecordCodec.BodySource bodies) {
        if (!isPacked(value)) {
            throw new IllegalStateException("unsupported Redis record format "
                    + new String(value, 0, Math.min(value.length, 2), StandardCharsets.UTF_8));
        }
        Header header = new Header(value);
        return switch (value[2]) {
            case 'I' -> {
                long fence = header.number();
                Instant created = header.instant();
                Instant leaseUntil = header.instant();
                header.number(); // unknown_ttl and watched: the scripts' business
                header.number();
                yield new InFlight(header.word(), fence, header.word(), leaseUntil, created);
            }
            case 'U' -> {
                long fence = header.number();
                Instant created = header.instant();
                Instant since = header.instant();
                Instant expires = header.instant();
                String fingerprint = header.word();
                String reason = new String(value, header.end + 1, value.length - header.end - 1, StandardCharsets.UTF_8);
                yield new OutcomeUnknown(fingerprint, fence, reason, created, since, expires);
            }
            case 'C' -> completed(value, header, bodies);
            default -> throw new IllegalStateException("unknown record state " + (char) value[2]);
        };
    }

    private static Completed completed(byte[] value, Header header, RecordCodec.BodySource bodies) {
        long fence = header.number();
        Instant created = header.instant();
        Instant completed = header.instant();
        Instant expires = header.instant();
        String fingerprint = header.word();
        int status = (int) header.number();
        boolean omitted = header.number() == 1;
        int headersLength = (int) header.number();
        int chunks = (int) header.number();
        long length = header.number();
        String bodyKey = header.word();
        int headersFrom = header.end + 1;
        int bodyFrom = headersFrom + headersLength;
        List<Map.Entry<String, String>> headers = RecordCodec.decodeHeaders(value, headersFrom,
                headersLength);
        StoredBody body;
        if (!INLINE.equals(bodyKey)) {
            body = bodies.body(bodyKey.getBytes(StandardCharsets.UTF_8), chunks, length);
        } else if (bodyFrom == value.length) {
            body = BodyChunks.EMPTY;
        } else {
            // At most one chunk: larger bodies always go to a body key.
            body = BodyChunks.of(List.of(Arrays.copyOfRange(value, bodyFrom, value.length)));
        }
        return new Completed(fingerprint, fence, new StoredResponse(status, headers, body, omitted), created,
                completed, expires);
    }

    /** The header line's words after {@code 3 X }, read left to right. */
    private static final class Header {

        private final byte[] value;
        private final int end;
        private int at = 4;

        Header(byte[] value) {
            this.value = value;
            int newline = 4;
            while (newline < value.length && value[newline] != '\n') {
                newline++;
            }
            if (newline == value.length) {
                throw new IllegalStateException("record header not terminated");
            }
            this.end = newline;
        }

        long number() {
            long n = 0;
            int from = at;
            while (at < end && value[at] != ' ') {
                byte b = value[at++];
                if (b < '0' || b > '9' || at - from > 18) {
                    throw new IllegalStateException("malformed record header number at " + from);
                }
                n = n * 10 + (b - '0');
            }
            if (at == from) {
                throw new IllegalStateException("record header field missing at " + from);
            }
            at++;
            return n;
        }

        Instant instant() {
            return Instant.ofEpochMilli(number());
        }

        String word() {
            int from = at;
            while (at < end && value[at] != ' ') {
                at++;
            }
            if (at == from) {
                throw new IllegalStateException("record header field missing at " + from);
            }
            String word = new String(value, from, at - from, StandardCharsets.UTF_8);
            at++;
            return word;
        }
    }
}
