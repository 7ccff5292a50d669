package io.idemgate.loadtest.waiters;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FloodTallyTest {

    @Test
    void allAnswersWithTheFirstStatusAndBodyAreIdentical() {
        FloodTally t = new FloodTally();
        t.answer(201, false, 42);
        t.answer(201, true, 42);
        t.answer(201, true, 42);

        assertThat(t.allIdentical(3)).isTrue();
        assertThat(t.summary(3)).contains("answered 3 of 3", "replayed 2", "differing from the first 0", "{201=3}",
                "same body for all: YES");
    }

    @Test
    void aDifferentBodyAMissingAnswerOrANon2xxStatusIsNotIdentical() {
        FloodTally differing = new FloodTally();
        differing.answer(201, false, 42);
        differing.answer(201, true, 43);
        FloodTally short1 = new FloodTally();
        short1.answer(201, false, 42);
        short1.failure("connection_closed");
        FloodTally conflicts = new FloodTally();
        conflicts.answer(409, false, 7);
        conflicts.answer(409, false, 7);

        assertThat(differing.allIdentical(2)).isFalse();
        assertThat(short1.allIdentical(2)).isFalse();
        assertThat(short1.summary(2)).contains("connection_closed=1", "same body for all: NO");
        assertThat(conflicts.allIdentical(2)).isFalse();
    }
}
