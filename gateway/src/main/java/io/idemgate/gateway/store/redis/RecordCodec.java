package io.idemgate.gateway.store.redis;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.idemgate.gateway.idempotency.BodyChunks;
import io.idemgate.gateway.idempotency.IdempotencyRecord;
import io.idemgate.gateway.idempotency.IdempotencyRecord.Completed;
import io.idemgate.gateway.idempotency.IdempotencyRecord.InFlight;
import io.idemgate.gateway.idempotency.IdempotencyRecord.OutcomeUnknown;
import io.idemgate.gateway.idempotency.StoredBody;
import io.idemgate.gateway.idempotency.StoredResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the Redis hash of one record of an earlier release (docs/store-format.md, "Formats 1 and 2") as an
 * {@link IdempotencyRecord}: such records are replayed until they expire. Format versions 1 (body inline, or
 * none) and 2 (a completed record whose body is in a chunk hash of its own) are read; an unknown version
 * fails loudly instead of being misread. Also the headers' JSON, which format 3 keeps ({@link PackedRecord}).
 *
 * <p>Threading: stateless, any thread. Public only for the micro-benchmarks (microbench module).
 */
public final class RecordCodec {

    /** Every hash record whose body (if any) is inline. */
    static final String FORMAT_VERSION = "1";
    /** A completed hash record whose body lives in its body key, chunk by chunk. */
    static final String CHUNKED_FORMAT_VERSION = "2";
    private static final JsonFactory JSON = new JsonFactory();

    private RecordCodec() {
    }

    /** Reads a flat {@code field, value, ...} list (HGETALL, or a script's reply after {@code from}). */
    static Map<String, byte[]> fields(List<?> flat, int from) {
        Map<String, byte[]> fields = new HashMap<>();
        for (int i = from; i + 1 < flat.size(); i += 2) {
            fields.put(utf8((byte[]) flat.get(i)), (byte[]) flat.get(i + 1));
        }
        return fields;
    }

    /** HGETALL's answer with field names as text. */
    static Map<String, byte[]> stringKeys(Map<byte[], byte[]> hash) {
        Map<String, byte[]> fields = new HashMap<>();
        hash.forEach((field, value) -> fields.put(utf8(field), value));
        return fields;
    }

    /** Where a v2 record's chunked body is read from, chunk by chunk, when a replay asks. */
    @FunctionalInterface
    public interface BodySource {
        StoredBody body(byte[] bodyKey, int chunks, long length);
    }

    /** A source for callers that never see chunked bodies (tests of v1 hashes): fails if one turns up. */
    static final BodySource NO_CHUNKS = (key, chunks, length) -> {
        throw new IllegalStateException("unexpected chunked body");
    };

    public static IdempotencyRecord decode(Map<String, byte[]> hash) {
        return decode(hash, NO_CHUNKS);
    }

    public static IdempotencyRecord decode(Map<String, byte[]> hash, BodySource bodies) {
        String version = text(hash, "v");
        if (!FORMAT_VERSION.equals(version) && !CHUNKED_FORMAT_VERSION.equals(version)) {
            throw new IllegalStateException("unsupported Redis record format version " + version);
        }
        String fingerprint = text(hash, "fp");
        long fence = number(hash, "fence");
        Instant created = instant(hash, "created");
        return switch (text(hash, "state")) {
            case "inflight" -> new InFlight(fingerprint, fence, text(hash, "owner"), instant(hash, "lease_until"),
                    created);
            case "completed" -> new Completed(fingerprint, fence, response(hash, bodies), created,
                    instant(hash, "completed"), instant(hash, "expires"));
            case "unknown" -> new OutcomeUnknown(fingerprint, fence, text(hash, "reason"), created,
                    instant(hash, "since"), instant(hash, "expires"));
            default -> throw new IllegalStateException("unknown record state " + text(hash, "state"));
        };
    }

    /** Headers as a JSON array of {@code [name, value]} pairs: order and repeats survive. */
    public static byte[] encodeHeaders(List<Map.Entry<String, String>> headers) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartArray();
            for (Map.Entry<String, String> header : headers) {
                json.writeStartArray();
                json.writeString(header.getKey());
                json.writeString(header.getValue());
                json.writeEndArray();
            }
            json.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static List<Map.Entry<String, String>> decodeHeaders(byte[] encoded) {
        return decodeHeaders(encoded, 0, encoded.length);
    }

    static List<Map.Entry<String, String>> decodeHeaders(byte[] encoded, int offset, int length) {
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        try (JsonParser json = JSON.createParser(encoded, offset, length)) {
            expect(json.nextToken(), JsonToken.START_ARRAY);
            while (json.nextToken() == JsonToken.START_ARRAY) {
                String name = json.nextTextValue();
                String value = json.nextTextValue();
                expect(json.nextToken(), JsonToken.END_ARRAY);
                headers.add(Map.entry(name, value));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return headers;
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] bytes(long number) {
        return bytes(Long.toString(number));
    }

    static String utf8(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static StoredResponse response(Map<String, byte[]> hash, BodySource bodies) {
        byte[] bodyKey = hash.get("body_key");
        StoredBody body;
        if (bodyKey != null) {
            body = bodies.body(bodyKey, (int) number(hash, "chunks"), number(hash, "length"));
        } else {
            byte[] inline = hash.get("body");
            // An inline body is at most one chunk (or a v1 record of a release that knew no chunks).
            body = inline == null || inline.length == 0 ? BodyChunks.EMPTY
                    : inline.length <= BodyChunks.CHUNK_SIZE ? BodyChunks.of(List.of(inline)) : BodyChunks.copyOf(inline);
        }
        return new StoredResponse((int) number(hash, "status"), decodeHeaders(hash.get("headers")), body,
                "1".equals(text(hash, "omitted")));
    }

    private static void expect(JsonToken actual, JsonToken expected) throws IOException {
        if (actual != expected) {
            throw new IOException("malformed headers field: expected " + expected + ", found " + actual);
        }
    }

    private static String text(Map<String, byte[]> hash, String field) {
        byte[] value = hash.get(field);
        return value == null ? null : utf8(value);
    }

    private static long number(Map<String, byte[]> hash, String field) {
        String value = text(hash, field);
        if (value == null) {
            throw new IllegalStateException("record field " + field + " missing");
        }
        return Long.parseLong(value);
    }

    private static Instant instant(Map<String, byte[]> hash, String field) {
        return Instant.ofEpochMilli(number(hash, field));
    }
}
