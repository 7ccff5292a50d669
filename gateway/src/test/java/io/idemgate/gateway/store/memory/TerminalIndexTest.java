package io.idemgate.gateway.store.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class TerminalIndexTest {

    private static final Instant T0 = Instant.parse("2026-12-03T10:00:00Z");

    private final TerminalIndex index = new TerminalIndex();
    private long seq;

    /** An outcome-unknown slot (terminal) expiring at {@code expiresAt}. */
    private Slot expiringAt(Instant expiresAt) {
        seq++;
        String id = String.format("%064x", seq);
        Slot inFlight = Slot.inFlight(PackedId.of(id), RecordBytes.fingerprint("fp"), seq, "owner", T0.plusSeconds(30), T0, seq);
        return inFlight.unknown("test", T0, expiresAt, seq);
    }

    @Test
    void inFlightSlotsAreNeverIndexed() {
        Slot inFlight = Slot.inFlight(PackedId.of("0".repeat(64)), RecordBytes.fingerprint("fp"), 1, "o",
                T0.plusSeconds(1), T0, 1);

        index.add(inFlight);

        assertThat(index.size()).isZero();
        assertThat(index.expired(T0.plus(Duration.ofDays(1)), 10)).isEmpty();
    }

    @Test
    void onlySlotsWhoseExpiryHasPassedAreHandedOutSoonestSecondFirst() {
        Slot later = expiringAt(T0.plusSeconds(5));
        Slot soonest = expiringAt(T0.plusSeconds(1));
        Slot notYet = expiringAt(T0.plusSeconds(60));
        index.add(later);
        index.add(soonest);
        index.add(notYet);

        assertThat(index.expired(T0, 10)).isEmpty();
        assertThat(index.firstExpired(T0.plusSeconds(1))).isSameAs(soonest); // due at exactly its expiry
        assertThat(index.expired(T0.plusSeconds(10), 10)).containsExactly(soonest, later);
        assertThat(index.expired(T0.plusSeconds(10), 1)).containsExactly(soonest);
        assertThat(index.size()).isEqualTo(3); // handing out removes nothing: the store drops them
    }

    @Test
    void withinTheCurrentSecondOnlyTheExpiredAreHandedOut() {
        Instant second = T0.plusSeconds(3);
        Slot early = expiringAt(second.plusMillis(100));
        Slot late = expiringAt(second.plusMillis(900));
        index.add(early);
        index.add(late);

        assertThat(index.expired(second.plusMillis(500), 10)).containsExactly(early);
        assertThat(index.expired(second.plusMillis(900), 10)).containsExactlyInAnyOrder(early, late);
    }

    @Test
    void removingMovesTheLastSlotIntoTheHoleAndTwiceIsANoOp() {
        List<Slot> slots = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Slot s = expiringAt(T0.plusSeconds(1).plusMillis(i));
            slots.add(s);
            index.add(s);
        }

        index.remove(slots.get(1));
        index.remove(slots.get(1));
        index.remove(slots.get(4));

        assertThat(index.size()).isEqualTo(3);
        assertThat(index.expired(T0.plusSeconds(2), 10)).containsExactlyInAnyOrder(slots.get(0), slots.get(2), slots.get(3));
        assertThat(slots.get(1).indexPlace).isEqualTo(-1);
    }

    @Test
    void anEmptiedSecondIsUnlinkedAndTheSecondCanFillAgain() {
        Slot a = expiringAt(T0.plusSeconds(7));
        index.add(a);
        assertThat(index.buckets()).isEqualTo(1);

        index.remove(a);
        assertThat(index.buckets()).isZero();

        Slot b = expiringAt(T0.plusSeconds(7).plusMillis(1));
        index.add(b); // the add hint points at the dead bucket: a fresh one must take it
        assertThat(index.buckets()).isEqualTo(1);
        assertThat(index.expired(T0.plusSeconds(8), 10)).containsExactly(b);
    }

    @Test
    void aSecondGrowsPastItsFirstArrayAndShrinksBackToNothing() {
        List<Slot> slots = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            Slot s = expiringAt(T0.plusSeconds(2).plusNanos(i));
            slots.add(s);
            index.add(s);
        }
        assertThat(new HashSet<>(index.expired(T0.plusSeconds(3), 2_000))).hasSize(1_000);

        for (int i = 0; i < slots.size(); i += 2) {
            index.remove(slots.get(i));
        }
        for (int i = 1; i < slots.size(); i += 2) {
            assertThat(slots.get(i).indexPlace).isBetween(0, 499);
            index.remove(slots.get(i));
        }

        assertThat(index.size()).isZero();
        assertThat(index.buckets()).isZero();
    }

    @Test
    void slotsFromManyThreadsAreAllIndexedAndAllRemoved() throws InterruptedException {
        int threads = 4;
        int perThread = 2_000;
        List<List<Slot>> byThread = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            List<Slot> mine = new ArrayList<>();
            for (int i = 0; i < perThread; i++) {
                mine.add(expiringAt(T0.plusSeconds(1 + i % 3)));
            }
            byThread.add(mine);
        }
        List<Thread> running = new ArrayList<>();
        for (List<Slot> mine : byThread) {
            Thread thread = new Thread(() -> {
                mine.forEach(index::add);
                mine.subList(0, perThread / 2).forEach(index::remove);
            });
            thread.start();
            running.add(thread);
        }
        for (Thread thread : running) {
            thread.join(Duration.ofSeconds(30).toMillis());
        }

        assertThat(index.size()).isEqualTo(threads * perThread / 2);
        assertThat(new HashSet<>(index.expired(T0.plusSeconds(10), Integer.MAX_VALUE))).hasSize(threads * perThread / 2);
    }
}
