package io.idemgate.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class WaitersTest {

    private final Waiters waiters = new Waiters();

    @Test
    void aWakeCompletesEveryWaiterOfThatIdAndNoOther() {
        CompletableFuture<Void> a1 = waiters.register("a");
        CompletableFuture<Void> a2 = waiters.register("a");
        CompletableFuture<Void> b = waiters.register("b");

        waiters.wake("a");

        assertThat(a1).isCompleted();
        assertThat(a2).isCompleted();
        assertThat(b).isNotDone();
        assertThat(waiters.count()).isEqualTo(1);
        assertThat(waiters.ids(10)).containsExactly("b");
    }

    @Test
    void aWaiterThatGivesUpLeavesNothingBehind() {
        CompletableFuture<Void> a = waiters.register("a");
        a.cancel(false);

        assertThat(waiters.count()).isZero();
        assertThat(waiters.idCount()).isZero();
    }

    @Test
    void aWaiterRegisteredAfterAWakeWaitsForTheNextOne() {
        waiters.register("a");
        waiters.wake("a");
        CompletableFuture<Void> later = waiters.register("a");

        assertThat(later).isNotDone();
        waiters.wake("a");
        assertThat(later).isCompleted();
    }

    @Test
    void wakeWhereAndFailAll() {
        CompletableFuture<Void> a = waiters.register("a");
        CompletableFuture<Void> b = waiters.register("b");

        waiters.wakeWhere("a"::equals);
        assertThat(a).isCompleted();
        assertThat(b).isNotDone();

        waiters.failAll(new IllegalStateException("closed"));
        assertThat(b).isCompletedExceptionally();
        assertThat(waiters.idCount()).isZero();
    }

    @Test
    void idsAreBounded() {
        for (int i = 0; i < 5; i++) {
            waiters.register("id-" + i);
        }
        assertThat(waiters.ids(3)).hasSize(3);
    }
}
