package io.idemgate.gateway.admin;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.idemgate.gateway.config.DurationText;
import io.idemgate.gateway.config.IdempotencyConfig;
import io.idemgate.gateway.config.MatchConfig;
import io.idemgate.gateway.config.RouteConfig;
import io.idemgate.gateway.config.UpstreamConfig;
import io.idemgate.gateway.idempotency.FingerprintPolicy;
import io.idemgate.gateway.idempotency.KeyPolicy;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * Renders route rules as pretty-printed JSON with every field, named as the config keys are, so an operator can
 * paste a value back into the config file. Durations use the HOCON spelling ({@code 30s}); sizes are bytes.
 */
public final class RoutesJson {

    private static final JsonFactory JSON = new JsonFactory();

    private RoutesJson() {
    }

    /** @return {@code {"routes": [...]}} in match order */
    public static String render(List<RouteConfig> routes) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeArrayFieldStart("routes");
            for (RouteConfig route : routes) {
                writeRoute(g, route);
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static void writeRoute(JsonGenerator g, RouteConfig route) throws IOException {
        g.writeStartObject();
        g.writeStringField("name", route.name());
        writeMatch(g, route.match());
        writeUpstream(g, route.upstream());
        writeIdempotency(g, route.idempotency());
        g.writeEndObject();
    }

    private static void writeMatch(JsonGenerator g, MatchConfig match) throws IOException {
        g.writeObjectFieldStart("match");
        g.writeStringField("host", match.host().orElse(null));
        g.writeStringField("path", match.path());
        writeStrings(g, "methods", match.methods().stream().sorted().toList());
        g.writeEndObject();
    }

    private static void writeUpstream(JsonGenerator g, UpstreamConfig upstream) throws IOException {
        g.writeObjectFieldStart("upstream");
        writeStrings(g, "urls", upstream.urls().stream().map(URI::toString).toList());
        g.writeStringField("connect-timeout", duration(upstream.connectTimeout()));
        g.writeStringField("response-timeout", duration(upstream.responseTimeout()));
        g.writeNumberField("max-connections", upstream.maxConnections());
        g.writeNumberField("max-pending-acquires", upstream.maxPendingAcquires());
        g.writeStringField("pool-idle-timeout", duration(upstream.poolIdleTimeout()));
        g.writeEndObject();
    }

    private static void writeIdempotency(JsonGenerator g, IdempotencyConfig p) throws IOException {
        g.writeObjectFieldStart("idempotency");
        g.writeStringField("mode", keyword(p.mode()));
        writeStrings(g, "methods", p.methods().stream().sorted().toList());
        KeyPolicy key = p.key();
        g.writeObjectFieldStart("key");
        g.writeStringField("header", key.header());
        g.writeStringField("json-pointer", key.jsonPointer());
        g.writeBooleanField("required", key.required());
        g.writeNumberField("max-length", key.maxLength());
        g.writeBooleanField("strict", key.strict());
        g.writeEndObject();
        g.writeObjectFieldStart("scope");
        writeStrings(g, "headers", p.scopeHeaders());
        g.writeStringField("when-missing", keyword(p.scope().whenMissing()));
        if (p.scope().jwt().isPresent()) {
            // The secret is never rendered: only whether one is set.
            IdempotencyConfig.Jwt jwt = p.scope().jwt().get();
            g.writeObjectFieldStart("jwt");
            g.writeStringField("header", jwt.header());
            g.writeStringField("jwks-file", jwt.jwksFile().map(Object::toString).orElse(""));
            g.writeStringField("jwks-url", jwt.jwksUrl().map(Object::toString).orElse(""));
            g.writeStringField("jwks-ca-file", jwt.jwksCaFile().map(Object::toString).orElse(""));
            g.writeStringField("jwks-refresh", duration(jwt.jwksRefresh()));
            g.writeStringField("hs256-secret", jwt.hs256Secret().isPresent() ? "(set)" : "");
            writeStrings(g, "claims", jwt.claims());
            writeStrings(g, "issuers", jwt.issuers());
            writeStrings(g, "audiences", jwt.audiences());
            g.writeStringField("leeway", duration(jwt.leeway()));
            g.writeEndObject();
        }
        g.writeEndObject();
        FingerprintPolicy fp = p.fingerprint();
        g.writeObjectFieldStart("replay");
        writeStrings(g, "exclude-headers", p.replay().excludeHeaders());
        g.writeEndObject();
        g.writeObjectFieldStart("fingerprint");
        writeStrings(g, "headers", fp.headers());
        g.writeBooleanField("json", fp.json());
        writeStrings(g, "ignore-json-fields", fp.ignoreJsonFields());
        g.writeEndObject();
        g.writeStringField("ttl", duration(p.ttl()));
        g.writeStringField("lease", duration(p.lease()));
        g.writeStringField("concurrent", keyword(p.concurrent()));
        g.writeStringField("wait-timeout", duration(p.waitTimeout()));
        writeStrings(g, "store-status", p.storeStatus().spelling());
        writeStrings(g, "release-status", p.releaseStatus().spelling());
        g.writeNumberField("max-request-body", p.maxRequestBody());
        g.writeNumberField("max-response-body", p.maxResponseBody());
        g.writeStringField("outcome-unknown", keyword(p.outcomeUnknown()));
        g.writeStringField("fence-header", p.fenceHeader());
        g.writeStringField("on-store-failure", keyword(p.onStoreFailure()));
        g.writeEndObject();
    }

    private static void writeStrings(JsonGenerator g, String field, Collection<String> values) throws IOException {
        g.writeArrayFieldStart(field);
        for (String v : values) {
            g.writeString(v);
        }
        g.writeEndArray();
    }

    /** {@code FAIL_CLOSED} → {@code fail-closed}, as the config file spells it. */
    static String keyword(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The largest whole unit that spells the duration exactly: {@code 24h}, {@code 30s}, {@code 250ms}. */
    static String duration(Duration d) {
        return DurationText.of(d);
    }
}
