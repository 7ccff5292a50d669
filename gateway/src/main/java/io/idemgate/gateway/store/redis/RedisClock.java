package io.idemgate.gateway.store.redis;

import io.lettuce.core.cluster.api.async.RedisAdvancedClusterAsyncCommands;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Redis's clock as the gateway knows it without asking per request: a {@code TIME} sample (the latest of every
 * master's on a Cluster) plus the gateway's monotonic time since. Redis read its clock somewhere between the
 * sample's sending and its reply, so Redis's clock now lies between {@link #lowMicros()} (counted from the reply)
 * and {@link #micros()} (counted from the sending), one round trip apart; a margin of 0.1 % of the sample's age
 * covers the two clocks' rates differing (NTP slews by at most 0.05 %). A sample slower than {@value
 * #MAX_ROUND_TRIP_MILLIS} ms is dropped, and a fresh one is kept only if it came back no slower than the one in
 * use (or that one is over a second old), so the window stays narrow on a loaded gateway. The gateway's wall
 * clock plays no part: gateways with skewed clocks still agree with Redis.
 *
 * <p>Used where a claim writes a record with no script: the fence from {@link #micros()} (never behind Redis's
 * clock: strictly above any fence Redis's clock floored before), the lease from {@link #lowMicros()} (never
 * longer than asked; at most a round trip shorter). Past {@value #MAX_AGE_MILLIS} ms without a kept sample, or
 * after a reconnect (perhaps to a promoted replica with another clock), there is no estimate, and claims go to
 * the script (server {@code TIME}).
 *
 * <p>Threading: reads any thread; samples from one thread at a time.
 */
final class RedisClock {

    static final long MAX_AGE_MILLIS = 5_000;
    static final long MAX_ROUND_TRIP_MILLIS = 50;
    private static final long REPLACE_AFTER_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** Redis's time in µs when the sample was taken, the gateway's nanoTime before it was sent and at its reply. */
    private record Sample(long redisMicros, long sentNanos, long receivedNanos) {
        long roundTrip() {
            return receivedNanos - sentNanos;
        }
    }

    private volatile Sample sample;

    /** Redis now in µs, never behind Redis's own clock, or -1 when there is no fresh sample. */
    long micros() {
        Sample s = sample;
        if (s == null) {
            return -1;
        }
        long elapsed = System.nanoTime() - s.sentNanos;
        if (elapsed > TimeUnit.MILLISECONDS.toNanos(MAX_AGE_MILLIS)) {
            return -1;
        }
        return s.redisMicros + elapsed / 1_000 + elapsed / 1_000_000;
    }

    /** Redis now in µs, never ahead of Redis's own clock, or -1 when there is no fresh sample. */
    long lowMicros() {
        Sample s = sample;
        if (s == null) {
            return -1;
        }
        long elapsed = System.nanoTime() - s.receivedNanos;
        if (elapsed + s.roundTrip() > TimeUnit.MILLISECONDS.toNanos(MAX_AGE_MILLIS)) {
            return -1;
        }
        return s.redisMicros + elapsed / 1_000 - elapsed / 1_000_000;
    }

    /** Takes a new sample; the estimate goes on from the old one until it arrives. */
    CompletableFuture<Void> sample(RedisClusterAsyncCommands<byte[], byte[]> redis) {
        long sent = System.nanoTime();
        return latestTime(redis).thenAccept(micros -> {
            Sample fresh = new Sample(micros, sent, System.nanoTime());
            Sample held = sample;
            if (fresh.roundTrip() <= TimeUnit.MILLISECONDS.toNanos(MAX_ROUND_TRIP_MILLIS) && (held == null
                    || fresh.roundTrip() <= held.roundTrip() || sent - held.sentNanos > REPLACE_AFTER_NANOS)) {
                sample = fresh;
            }
        });
    }
    /** No estimate until the next sample (a link reconnected: maybe to another server and clock). */
    void forget() {
        sample = null;
    }

    private static CompletableFuture<Long> latestTime(RedisClusterAsyncCommands<byte[], byte[]> redis) {
        if (redis instanceof RedisAdvancedClusterAsyncCommands<byte[], byte[]> cluster) {
            // Each master floors the fences of its own keys by its own clock: the latest one is safe for all.
            CompletableFuture<List<byte[]>>[] times = cluster.masters().commands().time().futures();
            CompletableFuture<Long> latest = CompletableFuture.completedFuture(-1L);
            for (CompletableFuture<List<byte[]>> time : times) {
                latest = latest.thenCombine(time, (a, b) -> Math.max(a, micros(b)));
            }
            return latest.thenApply(micros -> {
                if (micros < 0) {
                    throw new IllegalStateException("no master answered TIME");
                }
                return micros;
            });
        }
        return redis.time().toCompletableFuture().thenApply(RedisClock::micros);
    }

    private static long micros(List<byte[]> time) {
        return Long.parseLong(new String(time.get(0), StandardCharsets.US_ASCII)) * 1_000_000
                + Long.parseLong(new String(time.get(1), StandardCharsets.US_ASCII));
    }
}
