package io.idemgate.loadtest.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

class TimelineTest {

    private static final long S = 1_000_000_000L;
    private static final long MS = 1_000_000L;
    private static final long START = 5 * S; // nanoTime's origin is arbitrary
    private static final long EPOCH_MS = 1_796_000_000_000L;

    /** One second of warm-up, then measured. */
    private final Timeline timeline = new Timeline(START, EPOCH_MS, START + S);

    @Test
    void latencyCountsInTheSecondOfItsIntendedSendTimeAndAnswersInTheSecondTheyCame() {
        timeline.planned(START + 1_500 * MS);
        timeline.sent(START + 2_100 * MS, 1);
        timeline.answered(START + 1_500 * MS, START + 2_200 * MS, false); // 700 ms late: a stall

        Timeline.Second intended = timeline.seconds().get(1);
        Timeline.Second answered = timeline.seconds().get(2);
        assertThat(intended.planned).isEqualTo(1);
        assertThat(intended.count()).isEqualTo(1);
        assertThat(intended.maxMillis()).isBetween(693.0, 707.0); // two significant digits
        assertThat(answered.sent).isEqualTo(1);
        assertThat(answered.answered).isEqualTo(1);
        assertThat(answered.count()).isZero();
    }

    @Test
    void theWarmUpsBacklogIsKeptApartFromTheMeasuredOne() {
        timeline.backlog(START + 300 * MS, 14_000); // cold JITs in the first second
        timeline.backlog(START + 2_300 * MS, 40);
        timeline.backlog(START + 2_400 * MS, 12);

        assertThat(timeline.warmupMaxBacklog()).isEqualTo(14_000);
        assertThat(timeline.measuredMaxBacklog()).isEqualTo(40);
    }

    @Test
    void aLateTickIsTheGeneratorsOwnLag() {
        timeline.tick(START + 1_001 * MS, MS, MS);
        timeline.tick(START + 1_050 * MS, 49 * MS, MS);
        timeline.tick(START + 1_051 * MS, MS, MS);

        assertThat(timeline.seconds().get(1).maxLoopLagNanos).isEqualTo(48 * MS);
    }

    @Test
    void theWorstSecondsAreTheMeasuredOnesWithTheSlowestRequests() {
        timeline.answered(START + 100 * MS, START + 900 * MS, false); // warm-up: not a candidate
        for (int second = 1; second <= 4; second++) {
            long intended = START + second * S;
            timeline.answered(intended, intended + second * 10 * MS, false);
        }

        List<Timeline.Second> worst = timeline.worst(2);

        assertThat(worst).extracting(s -> s.index).containsExactly(4, 3);
        assertThat(timeline.worstSummary(1)).startsWith("  second 4 (epoch ms " + (EPOCH_MS + 4_000) + "): 1 requests");
    }

    @Test
    void theCsvHasOneLinePerSecondWithItsWallClockStart() throws Exception {
        timeline.planned(START);
        timeline.answered(START, START + 2 * MS, false);
        timeline.answered(START + S, START + S + 3 * MS, true);
        StringWriter csv = new StringWriter();

        timeline.writeCsv(csv);

        List<String> lines = csv.toString().lines().toList();
        assertThat(lines.get(0)).isEqualTo(Timeline.CSV_HEADER);
        assertThat(lines).hasSize(3);
        assertThat(lines.get(1)).startsWith("0," + EPOCH_MS + ",0,1,0,1,0,");
        assertThat(lines.get(2)).startsWith("1," + (EPOCH_MS + 1_000) + ",1,0,0,1,1,");
    }
}
