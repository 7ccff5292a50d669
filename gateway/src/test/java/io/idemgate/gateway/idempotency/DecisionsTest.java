package io.idemgate.gateway.idempotency;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The rule table, one row per rule: the moment, the route's rules, what happened, and what is decided. */
class DecisionsTest {

    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private static final StoredResponse RESPONSE =
            new StoredResponse(201, List.of(Map.entry("Content-Type", "application/json")), new byte[] {'{', '}'}, false);

    private static final DecisionRules OPTIONAL = rules(false, false, false);
    private static final DecisionRules REQUIRED = rules(true, false, false);
    private static final DecisionRules WAIT = rules(true, false, true);
    private static final DecisionRules SHADOW = rules(false, true, false);

    private static DecisionRules rules(boolean keyRequired, boolean shadow, boolean waitForInFlight) {
        return new DecisionRules(keyRequired, shadow, waitForInFlight,
                status -> status >= 200 && status < 500, status -> status == 409 || status == 429);
    }

    private static IdempotencyRecord inFlight(String fp) {
        return new IdempotencyRecord.InFlight(fp, 1, "gw-1/7", NOW.plusSeconds(30), NOW);
    }

    private static IdempotencyRecord completed(String fp) {
        return new IdempotencyRecord.Completed(fp, 1, RESPONSE, NOW, NOW, NOW.plusSeconds(86400));
    }

    private static IdempotencyRecord unknown(String fp) {
        return new IdempotencyRecord.OutcomeUnknown(fp, 2, "upstream timed out", NOW, NOW, NOW.plusSeconds(86400));
    }

    private static Arguments row(String rule, Supplier<Object> decided, Object expected) {
        return Arguments.of(rule, decided, expected);
    }

    static Stream<Arguments> table() {
        return Stream.of(
                // onKey
                row("a present key is claimed", () -> Decisions.onKey(new KeyResult.Present("k"), REQUIRED), new Decision.Claim("k")),
                row("a missing required key is 400", () -> Decisions.onKey(new KeyResult.Missing(), REQUIRED), new Decision.MissingKey()),
                row("a missing optional key passes", () -> Decisions.onKey(new KeyResult.Missing(), OPTIONAL), new Decision.Pass()),
                row("an invalid key is 400 even if optional", () -> Decisions.onKey(new KeyResult.Invalid("too long"), OPTIONAL),
                        new Decision.InvalidKey("too long")),
                row("shadow passes an invalid key", () -> Decisions.onKey(new KeyResult.Invalid("too long"), SHADOW), new Decision.Pass()),
                row("shadow claims a present key", () -> Decisions.onKey(new KeyResult.Present("k"), SHADOW), new Decision.Claim("k")),
                // onTooLarge
                row("a body over the limit is 413", () -> Decisions.onTooLarge(REQUIRED), new Decision.TooLarge()),
                row("shadow passes a body over the limit", () -> Decisions.onTooLarge(SHADOW), new Decision.Pass()),
                // onClaimed
                row("a won claim executes", () -> Decisions.onClaimed(3, false), new Decision.Execute(3, false)),
                row("a claim taken over executes as such", () -> Decisions.onClaimed(4, true), new Decision.Execute(4, true)),
                // onExisting
                row("completed, same request: replay", () -> Decisions.onExisting(completed("fp"), "fp", REQUIRED),
                        new Decision.Replay(RESPONSE)),
                row("completed, other request: 422", () -> Decisions.onExisting(completed("fp"), "other", REQUIRED),
                        new Decision.Mismatch()),
                row("in flight, other request: 422 before any wait", () -> Decisions.onExisting(inFlight("fp"), "other", WAIT),
                        new Decision.Mismatch()),
                row("unknown, other request: 422", () -> Decisions.onExisting(unknown("fp"), "other", REQUIRED),
                        new Decision.Mismatch()),
                row("in flight, route waits: wait", () -> Decisions.onExisting(inFlight("fp"), "fp", WAIT), new Decision.Wait()),
                row("in flight, route rejects: 409", () -> Decisions.onExisting(inFlight("fp"), "fp", REQUIRED),
                        new Decision.Conflict(Decision.ConflictReason.IN_FLIGHT)),
                row("outcome unknown: 409 even when waiting", () -> Decisions.onExisting(unknown("fp"), "fp", WAIT),
                        new Decision.Conflict(Decision.ConflictReason.OUTCOME_UNKNOWN)),
                row("shadow forwards a duplicate", () -> Decisions.onExisting(completed("fp"), "fp", SHADOW), new Decision.Pass()),
                // onResponse
                row("a stored status is stored", () -> Decisions.onResponse(201, REQUIRED), Decision.Settlement.STORE),
                row("a status outside store-status releases", () -> Decisions.onResponse(503, REQUIRED), Decision.Settlement.RELEASE),
                row("release-status wins over store-status", () -> Decisions.onResponse(409, REQUIRED), Decision.Settlement.RELEASE));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void decides(String rule, Supplier<Object> decided, Object expected) {
        assertThat(decided.get()).as(rule).isEqualTo(expected);
    }
}
