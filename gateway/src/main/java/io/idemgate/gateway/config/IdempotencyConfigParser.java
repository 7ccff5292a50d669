package io.idemgate.gateway.config;

import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.idemgate.gateway.idempotency.FingerprintPolicy;
import io.idemgate.gateway.idempotency.JsonPointer;
import io.idemgate.gateway.idempotency.KeyPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Builds a route's {@link IdempotencyConfig} from its {@code idempotency} block merged over the defaults. */
final class IdempotencyConfigParser {

    static final int MAX_KEY_LENGTH = 8192;

    private IdempotencyConfigParser() {
    }

    static IdempotencyConfig parse(ConfigReader r) {
        var mode = r.enumValue("mode", IdempotencyConfig.Mode.class);
        var methods = ConfigReader.upperCase(r.strings("methods", IdempotencyConfigParser::checkMethod));
        var key = key(r);
        var scope = new IdempotencyConfig.Scope(r.strings("scope.headers", IdempotencyConfigParser::checkHeaderName),
                r.enumValue("scope.when-missing", IdempotencyConfig.WhenMissing.class), JwtConfigParser.parse(r));
        var fingerprint = new FingerprintPolicy(
                r.strings("fingerprint.headers", IdempotencyConfigParser::checkHeaderName),
                r.bool("fingerprint.json"),
                r.strings("fingerprint.ignore-json-fields", IdempotencyConfigParser::checkPointer),
                // At most 500: Jackson refuses nesting beyond 1000 on its own, as "not JSON".
                r.integer("fingerprint.max-json-depth", 1, 500));
        Duration ttl = r.duration("ttl", false);
        Duration lease = r.duration("lease", false);
        // Only between two valid values: a bad ttl is its own problem, not also the lease's.
        if (ttl.compareTo(Duration.ZERO) > 0 && lease.compareTo(Duration.ZERO) > 0 && lease.compareTo(ttl) > 0) {
            r.problem("lease", "must not be longer than ttl (" + DurationText.of(ttl) + ")");
        }
        var concurrent = r.enumValue("concurrent", IdempotencyConfig.Concurrent.class);
        Duration waitTimeout = r.duration("wait-timeout", false);
        StatusSet storeStatus = statuses(r, "store-status");
        StatusSet releaseStatus = statuses(r, "release-status");
        long maxRequestBody = r.bytes("max-request-body", 1, Long.MAX_VALUE);
        long maxResponseBody = r.bytes("max-response-body", 1, Long.MAX_VALUE);
        var outcomeUnknown = r.enumValue("outcome-unknown", IdempotencyConfig.OutcomeUnknown.class);
        String fenceHeader = r.string("fence-header").trim();
        if (!fenceHeader.isEmpty() && !HttpSyntax.isToken(fenceHeader)) {
            r.problem("fence-header", "must be empty or a valid header name");
        }
        var onStoreFailure = r.enumValue("on-store-failure", IdempotencyConfig.OnStoreFailure.class);
        return new IdempotencyConfig(mode, methods, key, scope, fingerprint, ttl, lease, concurrent,
                waitTimeout, storeStatus, releaseStatus, maxRequestBody, maxResponseBody, outcomeUnknown,
                fenceHeader, onStoreFailure,
                new IdempotencyConfig.Replay(r.strings("replay.exclude-headers", IdempotencyConfigParser::checkHeaderName)));
    }

    private static KeyPolicy key(ConfigReader r) {
        String header = r.string("key.header").trim();
        String pointer = r.string("key.json-pointer").trim();
        // The header is only optional when the key comes from the body.
        if (!(header.isEmpty() && !pointer.isEmpty()) && !HttpSyntax.isToken(header)) {
            r.problem("key.header", "must be a valid header name");
        }
        if (!pointer.isEmpty() && checkPointer(pointer) != null) {
            r.problem("key.json-pointer", "must be empty or a JSON pointer starting with /, such as /id");
            pointer = ""; // reported; the policy is built only to be thrown away with the others
        }
        return new KeyPolicy(header, pointer, r.bool("key.required"),
                r.integer("key.max-length", 1, MAX_KEY_LENGTH), r.bool("key.strict"));
    }

    /** Entries may be written as numbers ({@code 409}) or strings ({@code "2xx"}); both reach StatusSet as text. */
    private static StatusSet statuses(ConfigReader r, String key) {
        List<String> entries = new ArrayList<>();
        List<ConfigValue> values = r.list(key);
        for (int i = 0; i < values.size(); i++) {
            ConfigValue v = values.get(i);
            String path = r.path(key) + "[" + i + "]";
            if (v.valueType() != ConfigValueType.STRING && v.valueType() != ConfigValueType.NUMBER) {
                r.problem(path, v, "expected a status code such as 409 or a class such as \"2xx\"");
                continue;
            }
            String entry = v.unwrapped().toString();
            try {
                StatusSet.parse(List.of(entry));
                entries.add(entry);
            } catch (IllegalArgumentException e) {
                r.problem(path, v, e.getMessage());
            }
        }
        return StatusSet.parse(entries);
    }

    static String checkMethod(String method) {
        return HttpSyntax.isToken(method) ? null : "must be an HTTP method token such as POST";
    }

    static String checkHeaderName(String name) {
        return HttpSyntax.isToken(name) ? null : "must be a valid header name";
    }

    static String checkPointer(String pointer) {
        if (!pointer.startsWith("/")) {
            return "must be a JSON pointer starting with /";
        }
        try {
            JsonPointer.parse(pointer);
            return null;
        } catch (IllegalArgumentException e) {
            return "must be a JSON pointer: '~' is followed by 0 or 1";
        }
    }
}
