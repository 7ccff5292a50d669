package io.idemgate.gateway.idempotency;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DecisionsTest {

    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private static final ConcurrencyPolicy WAIT = new ConcurrencyPolicy(true);
    private static final ConcurrencyPolicy REJECT = new ConcurrencyPolicy(false);
    private static final StoredResponse RESPONSE =
            new StoredResponse(201, List.of(Map.entry("Content-Type", "application/json")), new byte[] {'{', '}'}, false);

    private static IdempotencyRecord inFlight(String fp) {
        return new IdempotencyRecord.InFlight(fp, 1, "gw-1/7", NOW.plusSeconds(30), NOW);
    }

    private static IdempotencyRecord completed(String fp) {
        return new IdempotencyRecord.Completed(fp, 1, RESPONSE, NOW, NOW, NOW.plusSeconds(86400));
    }

    private static IdempotencyRecord unknown(String fp) {
        return new IdempotencyRecord.OutcomeUnknown(fp, 2, "upstream timed out", NOW, NOW, NOW.plusSeconds(86400));
    }

    @Test
    void completedWithSameFingerprintIsReplayed() {
        assertThat(Decisions.onExisting(completed("fp"), "fp", WAIT)).isEqualTo(new Decision.Replay(RESPONSE));
        assertThat(Decisions.onExisting(completed("fp"), "fp", REJECT)).isEqualTo(new Decision.Replay(RESPONSE));
    }

    @Test
    void differentFingerprintIsAMismatchWhateverTheState() {
        for (IdempotencyRecord record : List.of(completed("fp"), inFlight("fp"), unknown("fp"))) {
            assertThat(Decisions.onExisting(record, "other", WAIT)).as(record.toString()).isEqualTo(new Decision.Mismatch());
        }
    }

    @Test
    void inFlightWaitsOrConflicts() {
        assertThat(Decisions.onExisting(inFlight("fp"), "fp", WAIT)).isEqualTo(new Decision.Wait());
        assertThat(Decisions.onExisting(inFlight("fp"), "fp", REJECT))
                .isEqualTo(new Decision.Conflict(Decision.ConflictReason.IN_FLIGHT));
    }

    @Test
    void outcomeUnknownIsAConflictInEveryMode() {
        for (ConcurrencyPolicy policy : List.of(WAIT, REJECT)) {
            assertThat(Decisions.onExisting(unknown("fp"), "fp", policy))
                    .isEqualTo(new Decision.Conflict(Decision.ConflictReason.OUTCOME_UNKNOWN));
        }
    }

    @Test
    void keyProblemsAreDecidedBeforeTheClaim() {
        assertThat(Decisions.beforeClaim(new KeyResult.Missing(), true)).contains(new Decision.MissingKey());
        assertThat(Decisions.beforeClaim(new KeyResult.Missing(), false)).contains(new Decision.Pass());
        assertThat(Decisions.beforeClaim(new KeyResult.Invalid("Idempotency-Key header is empty"), false))
                .contains(new Decision.InvalidKey("Idempotency-Key header is empty"));
        assertThat(Decisions.beforeClaim(new KeyResult.Present("k"), true)).isEmpty();
    }
}
