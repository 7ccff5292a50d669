package io.idemgate.gateway.warmup;

import java.time.Duration;

/**
 * What a warm-up did: how long it took (closing included) and the requests it sent, by kind.
 *
 * @param passThrough requests on the warm-up's pass-through route
 * @param idempotent requests on its idempotent route: firsts, duplicates of a first in flight, and replays
 * @param replayed idempotent requests answered from the warm-up store (the {@code Idempotent-Replayed} header)
 * @param failed requests answered with a status other than 2xx, or not answered
 * @param error why the warm-up stopped early, or null
 */
public record WarmUpReport(Duration duration, long passThrough, long idempotent, long replayed, long failed,
                           String error) {

    public long requests() {
        return passThrough + idempotent;
    }

    public boolean succeeded() {
        return error == null;
    }
}
