package io.idemgate.gateway.exchange;

import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Names each execution attempt uniquely across gateway instances ({@code instance/sequence}), so the
 * store can tell the current owner of a key from one whose lease was taken over.
 */
public final class OwnerIds {

    private final String instance;
    private final AtomicLong sequence = new AtomicLong();

    public OwnerIds() {
        this(UUID.randomUUID().toString());
    }

    public OwnerIds(String instance) {
        this.instance = instance;
    }

    public String next() {
        return instance + "/" + sequence.incrementAndGet();
    }

    public String instance() {
        return instance;
    }
}
