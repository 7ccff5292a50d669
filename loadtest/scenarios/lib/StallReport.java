import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where the slow seconds of a load run come from: the generator's timeline ({@code load --timeline}) against
 * the safepoint and GC logs of every JVM involved (decorated with {@code timemillis}: epoch milliseconds, one
 * clock for all processes) and, optionally, the gateway's access log (its {@code upstream_ms} and
 * {@code duration_ms}). For each measured second whose slowest request took over THRESHOLD ms it lists what
 * overlapped the window from the second's start to its slowest answer: pauses, GC cycles, the generator's
 * own loop lag, the gateway's slowest upstream and total times. Run as a source file:
 *
 * <pre>java StallReport.java timeline.csv THRESHOLD_MS [LABEL=LOG ...] [access=GATEWAY_LOG]</pre>
 */
public final class StallReport {

    private static final Pattern MILLIS = Pattern.compile("\\[(\\d{12,})ms\\]");
    private static final Pattern SAFEPOINT = Pattern.compile("Safepoint \"([^\"]+)\".*Total: (\\d+) ns");
    private static final Pattern GC = Pattern.compile("(GC\\(\\d+\\) .*?) (\\d+(?:\\.\\d+)?)(ms|s)\\s*$");
    private static final Pattern UPSTREAM = Pattern.compile("upstream_ms=\"([0-9.]+)\"");
    private static final Pattern DURATION = Pattern.compile("duration_ms=\"([0-9.]+)\"");

    /** Something that took the interval [start, end] in epoch ms. */
    record Event(String source, String what, double start, double end) {
        double millis() {
            return end - start;
        }
    }

    record Second(int index, long epochMs, double p50, double p99, double max, long backlog, double loopLag,
                  long count) {
    }

    record Access(double at, double upstreamMs, double durationMs) {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: java StallReport.java timeline.csv THRESHOLD_MS [LABEL=LOG ...] [access=GATEWAY_LOG]");
            System.exit(2);
        }
        List<Second> seconds = readTimeline(Path.of(args[0]));
        double threshold = Double.parseDouble(args[1]);
        List<Event> events = new ArrayList<>();
        List<Access> access = new ArrayList<>();
        List<String> sources = new ArrayList<>();
        for (int i = 2; i < args.length; i++) {
            String[] kv = args[i].split("=", 2);
            Path file = Path.of(kv[1]);
            if (!Files.exists(file)) {
                continue;
            }
            if (kv[0].equals("access")) {
                readAccess(file, seconds, access);
            } else {
                if (!sources.contains(kv[0])) {
                    sources.add(kv[0]);
                }
                readJvmLog(kv[0], file, events);
            }
        }
        if (seconds.isEmpty()) {
            System.out.println("stalls: no measured second in the timeline");
            return;
        }
        double from = seconds.get(0).epochMs();
        double to = seconds.get(seconds.size() - 1).epochMs() + 1000 + seconds.get(seconds.size() - 1).max();
        for (String source : sources) {
            List<Event> pauses = events.stream().filter(e -> e.source().equals(source) && e.what().startsWith("safepoint")
                    && e.end() >= from && e.start() <= to).toList();
            double max = pauses.stream().mapToDouble(Event::millis).max().orElse(0);
            double sum = pauses.stream().mapToDouble(Event::millis).sum();
            System.out.printf(Locale.ROOT, "%s: %d safepoints in the measured seconds, max %.2f ms, total %.1f ms, over 10 ms: %d%n",
                    source, pauses.size(), max, sum, pauses.stream().filter(e -> e.millis() > 10).count());
        }
        List<Second> slow = seconds.stream().filter(s -> s.max() > threshold).toList();
        System.out.printf(Locale.ROOT, "%d of %d measured seconds had a request over %.0f ms; generator loop lag over 10 ms in %d seconds%n",
                slow.size(), seconds.size(), threshold, seconds.stream().filter(s -> s.loopLag() > 10).count());
        for (Second s : slow.stream().sorted(Comparator.comparingDouble(Second::max).reversed()).limit(15)
                .sorted(Comparator.comparingInt(Second::index)).toList()) {
            double start = s.epochMs() - 50;
            double end = s.epochMs() + 1000 + s.max();
            System.out.printf(Locale.ROOT, "second %d (%s): %d requests, p50 %.2f, p99 %.2f, max %.2f ms; backlog %d; generator loop lag %.1f ms%n",
                    s.index(), Instant.ofEpochMilli(s.epochMs()), s.count(), s.p50(), s.p99(), s.max(), s.backlog(), s.loopLag());
            events.stream().filter(e -> e.end() >= start && e.start() <= end && (e.millis() >= 1 || !e.what().startsWith("safepoint")))
                    .sorted(Comparator.comparingDouble(Event::start))
                    .forEach(e -> System.out.printf(Locale.ROOT, "    %-9s %+8.0f ms  %9.2f ms  %s%n", e.source(),
                            e.start() - s.epochMs(), e.millis(), e.what()));
            List<Access> inWindow = access.stream().filter(a -> a.at() >= start && a.at() <= end).toList();
            if (!inWindow.isEmpty()) {
                System.out.printf(Locale.ROOT, "    gateway access log: %d answers in the window, upstream_ms max %.1f, duration_ms max %.1f, "
                                + "duration minus upstream max %.1f%n", inWindow.size(),
                        inWindow.stream().mapToDouble(Access::upstreamMs).max().orElse(0),
                        inWindow.stream().mapToDouble(Access::durationMs).max().orElse(0),
                        inWindow.stream().mapToDouble(a -> a.durationMs() - a.upstreamMs()).max().orElse(0));
            }
        }
    }

    private static List<Second> readTimeline(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        List<String> header = List.of(lines.get(0).split(","));
        List<Second> seconds = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            if (!f[header.indexOf("measured")].equals("1") || f[header.indexOf("latency_count")].equals("0")) {
                continue; // the warm-up, or a second after the send window (answers only): nothing intended in it
            }
            seconds.add(new Second(Integer.parseInt(f[header.indexOf("second")]), Long.parseLong(f[header.indexOf("epoch_ms")]),
                    Double.parseDouble(f[header.indexOf("p50_ms")]), Double.parseDouble(f[header.indexOf("p99_ms")]),
                    Double.parseDouble(f[header.indexOf("max_ms")]), Long.parseLong(f[header.indexOf("max_backlog")]),
                    Double.parseDouble(f[header.indexOf("loop_lag_ms")]), Long.parseLong(f[header.indexOf("latency_count")])));
        }
        return seconds;
    }

    /** Safepoints (logged at their end, with their total) and GC cycles (logged at their end, with their length). */
    private static void readJvmLog(String source, Path file, List<Event> events) throws IOException {
        for (String line : Files.readAllLines(file)) {
            Matcher t = MILLIS.matcher(line);
            if (!t.find()) {
                continue;
            }
            double at = Long.parseLong(t.group(1));
            Matcher sp = SAFEPOINT.matcher(line);
            if (sp.find()) {
                double ms = Long.parseLong(sp.group(2)) / 1e6;
                events.add(new Event(source, "safepoint " + sp.group(1), at - ms, at));
                continue;
            }
            Matcher gc = GC.matcher(line);
            if (gc.find()) {
                double ms = Double.parseDouble(gc.group(2)) * (gc.group(3).equals("s") ? 1000 : 1);
                events.add(new Event(source, gc.group(1).replaceAll("\\s+", " "), at - ms, at));
            }
        }
    }

    /** The gateway's access log lines inside the measured seconds (read as a stream: the file is large). */
    private static void readAccess(Path file, List<Second> seconds, List<Access> access) throws IOException {
        if (seconds.isEmpty()) {
            return;
        }
        double from = seconds.get(0).epochMs();
        double to = seconds.get(seconds.size() - 1).epochMs() + 11_000;
        try (BufferedReader in = Files.newBufferedReader(file)) {
            String line;
            while ((line = in.readLine()) != null) {
                if (!line.contains("idemgate.access") || line.length() < 24 || line.charAt(4) != '-') {
                    continue;
                }
                double at;
                try {
                    at = Instant.parse(line.substring(0, line.indexOf(' '))).toEpochMilli();
                } catch (RuntimeException e) {
                    continue;
                }
                if (at < from || at > to) {
                    continue;
                }
                Matcher u = UPSTREAM.matcher(line);
                Matcher d = DURATION.matcher(line);
                if (d.find()) {
                    access.add(new Access(at, u.find() ? Double.parseDouble(u.group(1)) : 0, Double.parseDouble(d.group(1))));
                }
            }
        }
    }
}
