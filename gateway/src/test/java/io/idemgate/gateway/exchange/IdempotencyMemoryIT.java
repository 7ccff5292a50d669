package io.idemgate.gateway.exchange;

/** The request-flow suite on the embedded memory store (the default). */
class IdempotencyMemoryIT extends IdempotencyIT {

    @Override
    protected String storeConfig() {
        return "idemgate.store.type = memory";
    }
}
