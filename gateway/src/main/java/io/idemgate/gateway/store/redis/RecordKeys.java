package io.idemgate.gateway.store.redis;

import static io.idemgate.gateway.store.redis.RecordCodec.bytes;

import java.util.Objects;

/**
 * The Redis key names of one record (docs/store-format.md, "Keys"). Every key of a record carries its id as
 * the hash tag {@code {<id>}}, so all of them live in one Cluster slot and one script may touch them together.
 *
 * <p>Threading: immutable, any thread.
 */
final class RecordKeys {

    private final String prefix;
    private final byte[] channel;

    RecordKeys(String prefix) {
        this.prefix = Objects.requireNonNull(prefix, "prefix");
        this.channel = bytes(channelName());
    }

    /** {@code <prefix>events}: where scripts publish the ids of records that stopped being in flight. */
    String channelName() {
        return prefix + "events";
    }

    byte[] channel() {
        return channel;
    }

    /** {@code <prefix>{<id>}}: the braces are the hash tag, so a record's keys always share one Cluster slot. */
    byte[] record(String id) {
        return bytes(prefix + "{" + id + "}");
    }

    /**
     * {@code <prefix>tombstones-in-records-since}: when this release first ran on this Redis (ms, or 0 if it found
     * the database empty). Fence tombstones live in the record's own key since; the previous release's (keys of
     * their own, below) are gone {@code fence-retention} later ({@link ScriptFreeClaims}).
     */
    byte[] tombstoneMarker() {
        return bytes(prefix + "tombstones-in-records-since");
    }

    /**
     * The record and the previous release's fence tombstone {@code <prefix>{<id>}:fence}, the last fence of a
     * record it released or purged: still read by the scripts, so the key's next claim gets a higher one (same
     * hash tag, same Cluster slot). This release keeps tombstones in the record's own key ({@code 3 T fence}).
     */
    byte[][] recordAndFence(String id) {
        return new byte[][] {record(id), bytes(prefix + "{" + id + "}:fence")};
    }

    /**
     * {@code <prefix>{<id>}:body:<fence>:<owner>}: unique to one attempt, so two attempts never write into
     * one body, and in the record's hash tag (Cluster slot).
     */
    byte[] staging(String id, String owner, long fence) {
        return bytes(prefix + "{" + id + "}:body:" + fence + ":" + owner);
    }
}
