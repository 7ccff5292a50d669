package io.idemgate.microbench;

import io.idemgate.gateway.idempotency.CanonicalJson;
import io.idemgate.gateway.idempotency.InvalidJsonException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;

/**
 * {@link CanonicalJson#canonicalize} timed by the thread's CPU time rather than the wall clock: on the shared
 * VM, JMH's wall-clock scores swung 10x while other builds ran (the thread waits for a core), CPU time far
 * less. A complement to {@link FingerprintBenchmark}, not a replacement: run both, compare side by side.
 *
 * <pre>java -Xms1g -Xmx1g -XX:+AlwaysPreTouch -cp microbench/target/idemgate-microbench.jar \
 *     io.idemgate.microbench.CanonicalJsonCpuTime</pre>
 */
public final class CanonicalJsonCpuTime {

    private static final int ROUNDS = 7;
    private static int sink;

    private CanonicalJsonCpuTime() {
    }

    public static void main(String[] args) throws InvalidJsonException {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        String[] names = {"200B", "4KiB", "64KiB"};
        byte[][] bodies = {Bodies.small(), Bodies.large(), Bodies.huge()};
        int[] operations = {200_000, 20_000, 1_500};
        for (int b = 0; b < bodies.length; b++) {
            run(bodies[b], operations[b]); // warm-up
            long best = Long.MAX_VALUE;
            StringBuilder rounds = new StringBuilder();
            for (int round = 0; round < ROUNDS; round++) {
                long start = threads.getCurrentThreadCpuTime();
                run(bodies[b], operations[b]);
                long perOperation = (threads.getCurrentThreadCpuTime() - start) / operations[b];
                best = Math.min(best, perOperation);
                rounds.append(round > 0 ? " " : "").append(perOperation);
            }
            System.out.printf("canonicalize %-5s %6d B: best %,d CPU ns/op (rounds: %s)%n",
                    names[b], bodies[b].length, best, rounds);
        }
        System.out.println(sink == 42 ? "" : "done");
    }

    private static void run(byte[] body, int operations) throws InvalidJsonException {
        for (int i = 0; i < operations; i++) {
            sink += CanonicalJson.canonicalize(body, List.of()).length;
        }
    }
}
