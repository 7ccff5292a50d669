package io.idemgate.gateway.warmup;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;

/**
 * Whether the JIT has settled: its compilation time, summed over the compiler threads, grew by less than
 * {@link #IDLE_SHARE} of the wall time in each of the last {@link #QUIET_POLLS} polls. While C1 and C2
 * still work through the hot methods it grows by about a poll interval per busy compiler thread.
 * A JVM that does not report compilation time never counts as settled: the warm-up runs its full bound.
 */
final class JitActivity {

    static final Duration POLL = Duration.ofMillis(250);
    private static final double IDLE_SHARE = 0.04;
    private static final int QUIET_POLLS = 4;

    private final CompilationMXBean compiler = ManagementFactory.getCompilationMXBean();
    private final boolean supported = compiler != null && compiler.isCompilationTimeMonitoringSupported();
    private long lastCompileMillis = supported ? compiler.getTotalCompilationTime() : 0;
    private long lastNanos = System.nanoTime();
    private int quietPolls;

    /** Call about every {@link #POLL}; true once the JIT has been quiet for {@link #QUIET_POLLS} polls in a row. */
    boolean settled() {
        if (!supported) {
            return false;
        }
        long compileMillis = compiler.getTotalCompilationTime();
        long now = System.nanoTime();
        double wallMillis = (now - lastNanos) / 1e6;
        quietPolls = compileMillis - lastCompileMillis <= wallMillis * IDLE_SHARE ? quietPolls + 1 : 0;
        lastCompileMillis = compileMillis;
        lastNanos = now;
        return quietPolls >= QUIET_POLLS;
    }
}
