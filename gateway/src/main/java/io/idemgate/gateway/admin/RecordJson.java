package io.idemgate.gateway.admin;

import com.fasterxml.jackson.core.JsonGenerator;
import io.idemgate.gateway.idempotency.BodyChunks;
import io.idemgate.gateway.idempotency.IdempotencyRecord;
import io.idemgate.gateway.idempotency.IdempotencyRecord.Completed;
import io.idemgate.gateway.idempotency.IdempotencyRecord.InFlight;
import io.idemgate.gateway.idempotency.IdempotencyRecord.OutcomeUnknown;
import io.idemgate.gateway.idempotency.StoredResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;

/**
 * Renders one idempotency record for an operator. Shows the key only as its hash (the operator already knows
 * the key, logs must not) and the stored body and header values only when asked for ({@code body=true}): they
 * may hold a customer's data or credentials; otherwise the headers are listed by name.
 */
final class RecordJson {

    private RecordJson() {
    }

    static void write(JsonGenerator g, RecordQuery query, IdempotencyRecord record) throws IOException {
        g.writeStartObject();
        g.writeStringField("route", query.route());
        g.writeStringField("key_hash", query.recordKey().keyHash());
        g.writeStringField("state", state(record));
        g.writeStringField("fingerprint", record.fingerprint());
        g.writeNumberField("fence", record.fence());
        time(g, "created_at", record.createdAt());
        if (record instanceof InFlight f) {
            g.writeStringField("owner", f.owner());
            time(g, "lease_until", f.leaseUntil());
        } else if (record instanceof Completed c) {
            completed(g, c, query.withBody());
        } else if (record instanceof OutcomeUnknown u) {
            g.writeStringField("reason", u.reason());
            time(g, "since", u.since());
            time(g, "expires_at", u.expiresAt());
        }
        g.writeEndObject();
    }

    static String state(IdempotencyRecord record) {
        if (record instanceof InFlight) {
            return "in_flight";
        }
        return record instanceof Completed ? "completed" : "outcome_unknown";
    }

    private static void completed(JsonGenerator g, Completed c, boolean withBody) throws IOException {
        StoredResponse response = c.response();
        g.writeNumberField("status", response.status());
        time(g, "completed_at", c.completedAt());
        time(g, "expires_at", c.expiresAt());
        g.writeBooleanField("body_omitted", response.bodyOmitted());
        // Header values (Set-Cookie, Location with tokens…) are stored data like the body: names only, unless asked.
        g.writeArrayFieldStart("headers");
        for (Map.Entry<String, String> h : response.headers()) {
            if (withBody) {
                g.writeStartArray();
                g.writeString(h.getKey());
                g.writeString(h.getValue());
                g.writeEndArray();
            } else {
                g.writeString(h.getKey());
            }
        }
        g.writeEndArray();
        g.writeNumberField("body_length", response.body().length());
        if (withBody && response.body() instanceof BodyChunks chunks) {
            body(g, chunks.toByteArray());
        }
    }

    /** UTF-8 text when the bytes are valid UTF-8 (the usual JSON answer), else base64 so no byte is lost. */
    private static void body(JsonGenerator g, byte[] body) throws IOException {
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body)).toString();
            g.writeStringField("body", text);
            g.writeStringField("body_encoding", "utf-8");
        } catch (CharacterCodingException e) {
            g.writeStringField("body", Base64.getEncoder().encodeToString(body));
            g.writeStringField("body_encoding", "base64");
        }
    }

    private static void time(JsonGenerator g, String field, Instant instant) throws IOException {
        g.writeStringField(field, instant.toString());
    }
}
