package io.idemgate.gateway.idempotency;

/** What the exchange does with one request, decided by the idempotency domain ({@link Decisions}). */
public sealed interface Decision {

    /** Not deduplicated (an optional key absent, shadow mode giving up, a shadow duplicate): proxy as is. */
    record Pass() implements Decision {
    }

    /** The key is valid: fingerprint the request and claim the key in the store. */
    record Claim(String key) implements Decision {
    }

    /** 400: the route requires a key and the request has none. */
    record MissingKey() implements Decision {
    }

    /** 400: the key is malformed. @param reason safe to show the client */
    record InvalidKey(String reason) implements Decision {
    }

    /** 413: the body is over {@code max-request-body}; the upstream is not called. */
    record TooLarge() implements Decision {
    }

    /** This request owns the key: forward it. @param tookOver a previous attempt's outcome was unknown */
    record Execute(long fence, boolean tookOver) implements Decision {
    }

    /** The key completed with this fingerprint: send the stored answer, the upstream is not called. */
    record Replay(StoredResponse response) implements Decision {
    }

    /** The key is in flight and the route waits: wait for the store's change notification, then decide again. */
    record Wait() implements Decision {
    }

    /** 409 with Retry-After. */
    record Conflict(ConflictReason reason) implements Decision {
    }

    /** 422: the key was used with a different request. */
    record Mismatch() implements Decision {
    }

    enum ConflictReason { IN_FLIGHT, OUTCOME_UNKNOWN }

    /** What becomes of the record once the upstream answered. */
    enum Settlement { STORE, RELEASE }
}
