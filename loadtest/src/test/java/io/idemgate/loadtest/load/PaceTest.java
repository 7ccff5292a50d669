package io.idemgate.loadtest.load;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PaceTest {

    @Test
    void theAchievedRateIsOverTheRealSendWindowNotTheAskedDuration() {
        // The run: 5,000/s asked for 5 s, sending took 8.1 s.
        Pace pace = new Pace(25_000, 25_000, 5.0, 8.1, 15_340);

        assertThat(pace.askedRate()).isEqualTo(5000.0);
        assertThat(pace.achievedRate()).isCloseTo(3086.4, org.assertj.core.data.Offset.offset(0.1));
        assertThat(pace.behind(false)).isTrue();
    }

    @Test
    void keepingUpWithinTenPercentIsNotBehind() {
        assertThat(new Pace(5000, 5000, 5.0, 5.0, 3).behind(false)).isFalse();
        assertThat(new Pace(5000, 5000, 5.0, 5.5, 3).behind(false)).isFalse();
        assertThat(new Pace(5000, 5000, 5.0, 5.6, 3).behind(false)).isTrue();
    }

    @Test
    void requestsNeverSentCountAgainstTheRate() {
        assertThat(new Pace(5000, 4000, 5.0, 5.0, 100_000).behind(false)).isTrue();
    }

    @Test
    void aClosedLoopHasNoRateToFallBehind() {
        assertThat(new Pace(100, 10, 5.0, 5.0, 0).behind(true)).isFalse();
    }
}
