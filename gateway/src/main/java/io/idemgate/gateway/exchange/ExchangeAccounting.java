package io.idemgate.gateway.exchange;

import io.idemgate.gateway.idempotency.Outcome;
import io.idemgate.gateway.metrics.OutcomeLabel;
import io.idemgate.gateway.metrics.RejectReason;

/**
 * What one {@link ProxyExchange} leaves in the gateway's books: counted in flight (and by the drain)
 * from {@link #started} to {@link #ended}, then its outcome counted and its one access line written. An
 * exchange that never started (its hand-over was refused) leaves nothing. Event loop only.
 */
final class ExchangeAccounting {

    private final RequestContext rc;
    private long startNanos;
    private int status;
    /** The access log's outcome for an exchange the gateway refused mid-way (no {@link Outcome} counted). */
    private RejectReason refusal = RejectReason.MALFORMED;

    ExchangeAccounting(RequestContext rc) {
        this.rc = rc;
    }

    void started() {
        startNanos = System.nanoTime();
        rc.metrics().inflightIncrement();
        rc.services().drain().exchangeStarted();
    }

    /** The status the client got (or was to get): the upstream's, or the gateway's own answer. */
    void status(int status) {
        this.status = status;
    }

    /** Why the gateway refused the exchange mid-way, for an end counted under no {@link Outcome}. */
    void refusedFor(RejectReason reason) {
        this.refusal = reason;
    }

    /**
     * @param outcome what the exchange counts as; null for a refusal counted elsewhere (the access line says why)
     * @param aborted the client got no whole answer: logged as 499
     */
    void ended(Outcome outcome, boolean aborted, long upstreamNanos, ResponseTap tap) {
        rc.metrics().inflightDecrement();
        rc.services().drain().exchangeEnded();
        if (outcome != null) {
            rc.metrics().count(outcome);
        }
        rc.logAccess(aborted ? 499 : status, outcome == null ? refusal.label() : OutcomeLabel.of(outcome),
                upstreamNanos, startNanos, tap.keyHash(), tap.fence());
    }
}
