import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Bytes allocated per request from a JFR recording made around a load run (alloc-per-request.sh): each
 * thread's allocation counter ({@code jdk.ThreadAllocationStatistics}, at the recording's start and end)
 * as a difference, divided by the requests of the run; and the allocation sites of the event loops
 * ({@code jdk.ObjectAllocationSample}, weighted), scaled to bytes per request; and of the event loops' CPU
 * samples (Java and native, {@code jdk.ExecutionSample} and {@code jdk.NativeMethodSample}) the share whose
 * stack runs through the access log ({@code exchange.AccessLog} or {@code logging.*}). Run as a source file:
 *
 * <pre>java loadtest/scenarios/lib/JfrAllocationReport.java recording.jfr REQUESTS [SITES] [THREAD_PREFIX]</pre>
 */
public final class JfrAllocationReport {

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: java JfrAllocationReport.java recording.jfr REQUESTS [SITES] [THREAD_PREFIX]");
            System.exit(2);
        }
        Path file = Path.of(args[0]);
        long requests = Long.parseLong(args[1]);
        int sites = args.length > 2 ? Integer.parseInt(args[2]) : 25;
        String loopPrefix = args.length > 3 ? args[3] : "idemgate-io-";

        Map<String, long[]> perThread = new HashMap<>(); // name -> {first, last}
        Map<String, Instant[]> seen = new HashMap<>();
        Map<String, Long> bySite = new HashMap<>();
        Map<String, Long> byClass = new HashMap<>();
        long sampledLoop = 0;
        long cpuSamples = 0;
        long nativeSamples = 0;
        long accessLogSamples = 0;
        Set<Long> firstSampleSeen = new HashSet<>();
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            String type = e.getEventType().getName();
            if (type.equals("jdk.ThreadAllocationStatistics")) {
                RecordedThread t = e.getThread("thread");
                if (t == null) {
                    continue;
                }
                String name = t.getJavaName() != null ? t.getJavaName() : t.getOSName();
                long allocated = e.getLong("allocated");
                Instant at = e.getStartTime();
                long[] v = perThread.computeIfAbsent(name + "#" + t.getJavaThreadId(), k -> new long[] {allocated, allocated});
                Instant[] when = seen.computeIfAbsent(name + "#" + t.getJavaThreadId(), k -> new Instant[] {at, at});
                if (at.isBefore(when[0])) {
                    when[0] = at;
                    v[0] = allocated;
                }
                if (!at.isBefore(when[1])) {
                    when[1] = at;
                    v[1] = allocated;
                }
            } else if (type.equals("jdk.ExecutionSample") || type.equals("jdk.NativeMethodSample")) {
                RecordedThread t = e.getThread("sampledThread");
                if (t == null || t.getJavaName() == null || !t.getJavaName().startsWith(loopPrefix)) {
                    continue;
                }
                cpuSamples++;
                nativeSamples += type.equals("jdk.NativeMethodSample") ? 1 : 0;
                accessLogSamples += inAccessLog(e.getStackTrace()) ? 1 : 0;
            } else if (type.equals("jdk.ObjectAllocationSample")) {
                RecordedThread t = e.getThread("eventThread");
                if (t == null || t.getJavaName() == null || !t.getJavaName().startsWith(loopPrefix)) {
                    continue;
                }
                // A thread's first sample in the recording weighs everything it allocated before it: skip it.
                if (firstSampleSeen.add(t.getJavaThreadId())) {
                    continue;
                }
                long weight = e.getLong("weight");
                sampledLoop += weight;
                String cls = e.getClass("objectClass").getName();
                byClass.merge(cls, weight, Long::sum);
                bySite.merge(cls + "  <- " + frames(e.getStackTrace(), 4), weight, Long::sum);
            }
        }

        long loops = 0;
        long all = 0;
        List<Map.Entry<String, Long>> threads = new ArrayList<>();
        for (Map.Entry<String, long[]> t : perThread.entrySet()) {
            long d = t.getValue()[1] - t.getValue()[0];
            all += d;
            String name = t.getKey().substring(0, t.getKey().lastIndexOf('#'));
            if (name.startsWith(loopPrefix)) {
                loops += d;
            }
            if (d > 0) {
                threads.add(Map.entry(name, d));
            }
        }
        threads.sort((a, b) -> Long.compare(b.getValue(), a.getValue()));
        System.out.printf(Locale.ROOT, "requests: %,d%n", requests);
        System.out.printf(Locale.ROOT, "allocated on the event loops (%s*): %,d B = %,.0f B/request%n", loopPrefix, loops,
                (double) loops / requests);
        System.out.printf(Locale.ROOT, "allocated by all threads: %,d B = %,.0f B/request%n", all, (double) all / requests);
        System.out.println("per thread:");
        threads.stream().limit(12).forEach(t -> System.out.printf(Locale.ROOT, "  %-32s %,16d B  %,10.0f B/request%n",
                t.getKey(), t.getValue(), (double) t.getValue() / requests));

        if (cpuSamples > 0) {
            // A native sample is a loop in native code: its socket calls, but also idle in epoll_wait. So the share
            // of all samples is a lower bound of the access log's share of the loops' CPU, that of the Java
            // samples an upper bound (it leaves out the kernel's time); times the loops' CPU per request.
            System.out.printf(Locale.ROOT, "event-loop CPU samples in the access log's frames: %,d of %,d (%.2f %%; %,d of"
                    + " the samples native, %.2f %% of the Java ones)%n", accessLogSamples, cpuSamples,
                    100.0 * accessLogSamples / cpuSamples, nativeSamples,
                    cpuSamples > nativeSamples ? 100.0 * accessLogSamples / (cpuSamples - nativeSamples) : 0.0);
        }
        if (sampledLoop == 0) {
            return;
        }
        // Sample weights estimate the bytes allocated; scale them to the event loops' exact total.
        double scale = (double) loops / sampledLoop / requests;
        System.out.printf(Locale.ROOT, "%nevent-loop allocation by class (B/request, estimated from samples):%n");
        top(byClass, sites, scale);
        System.out.printf(Locale.ROOT, "%nevent-loop allocation sites (class <- top frames; B/request, estimated):%n");
        top(bySite, sites, scale);
    }

    private static void top(Map<String, Long> weights, int n, double scale) {
        weights.entrySet().stream()
                .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
                .limit(n)
                .forEach(e -> System.out.printf(Locale.ROOT, "  %7.0f  %s%n", e.getValue() * scale, e.getKey()));
    }

    private static boolean inAccessLog(RecordedStackTrace stack) {
        if (stack == null) {
            return false;
        }
        for (RecordedFrame f : stack.getFrames()) {
            String type = f.getMethod().getType().getName();
            if (type.equals("io.idemgate.gateway.exchange.AccessLog") || type.startsWith("io.idemgate.gateway.logging.")) {
                return true;
            }
        }
        return false;
    }

    private static String frames(RecordedStackTrace stack, int n) {
        if (stack == null) {
            return "?";
        }
        StringBuilder b = new StringBuilder();
        List<RecordedFrame> frames = stack.getFrames();
        for (int i = 0; i < Math.min(n, frames.size()); i++) {
            RecordedFrame f = frames.get(i);
            if (i > 0) {
                b.append(" <- ");
            }
            String type = f.getMethod().getType().getName();
            b.append(type.substring(type.lastIndexOf('.') + 1)).append('.').append(f.getMethod().getName())
                    .append(':').append(f.getLineNumber());
        }
        return b.toString();
    }
}
