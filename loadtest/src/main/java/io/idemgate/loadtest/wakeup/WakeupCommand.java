package io.idemgate.loadtest.wakeup;

import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The {@code wakeup} subcommand: cross-instance wake-up delay. For each of N fresh keys it POSTs to
 * gateway A, {@code --offset} later POSTs the same key to gateway B (which must wait: A's upstream is
 * still working), and records when B's answer arrives minus when A's answer arrived. Both clients run in
 * this process on one clock ({@link System#nanoTime()}), one request at a time, so the number is the
 * gateway path alone: A's completion written to Redis, published, B woken, B's read and replay.
 */
public final class WakeupCommand {

    static final String USAGE = """
            usage: idemgate-loadtest wakeup --a URL --b URL [flags]

            Same key to two gateways on one Redis, B shortly after A; prints the delay from A's response
            to B's response (p50/p90/p99/max). The upstream behind both must take longer than --offset.

              --a URL          target on gateway A, e.g. http://127.0.0.1:18180/v1/orders
              --b URL          the same target on gateway B
              --requests N     measured keys (default 200)
              --warmup N       keys sent first and not measured (default 50)
              --offset D       delay between A's and B's request, in ms (default 20)
              --help           this text
            """;

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private WakeupCommand() {
    }

    /** @return the process exit code: 0, 1 when a B answer was not A's replayed, 2 on bad flags */
    public static int run(List<String> args, PrintStream out, PrintStream err) throws InterruptedException {
        if (args.contains("--help") || args.contains("-h")) {
            out.print(USAGE);
            return 0;
        }
        URI a;
        URI b;
        int requests;
        int warmup;
        long offsetMillis;
        try {
            a = URI.create(flag(args, "--a", null));
            b = URI.create(flag(args, "--b", null));
            requests = Integer.parseInt(flag(args, "--requests", "200"));
            warmup = Integer.parseInt(flag(args, "--warmup", "50"));
            offsetMillis = Long.parseLong(flag(args, "--offset", "20"));
        } catch (IllegalArgumentException e) {
            err.println("wakeup: " + e.getMessage());
            err.println("run 'java -jar idemgate-loadtest.jar wakeup --help' for the flags");
            return 2;
        }
        HttpClient clientA = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpClient clientB = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        ExecutorService sideA = Executors.newSingleThreadExecutor();
        try {
            String run = UUID.randomUUID().toString().substring(0, 8);
            measure(clientA, clientB, sideA, a, b, "wakeup-warm-" + run, warmup, offsetMillis);
            Samples samples = measure(clientA, clientB, sideA, a, b, "wakeup-" + run, requests, offsetMillis);
            out.println(samples.report(offsetMillis));
            return samples.notReplayed == 0 ? 0 : 1;
        } finally {
            sideA.shutdownNow();
            sideA.awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private static Samples measure(HttpClient clientA, HttpClient clientB, ExecutorService sideA, URI a, URI b,
                                   String keyPrefix, int count, long offsetMillis) throws InterruptedException {
        Samples samples = new Samples(count);
        for (int i = 0; i < count; i++) {
            String key = keyPrefix + "-" + i;
            CompletableFuture<Answer> first = CompletableFuture.supplyAsync(() -> send(clientA, a, key), sideA);
            Thread.sleep(offsetMillis);
            long bSent = System.nanoTime();
            Answer second = send(clientB, b, key);
            Answer firstAnswer = first.join();
            boolean sameAnswer = second.status == firstAnswer.status && Arrays.equals(second.body, firstAnswer.body);
            if (firstAnswer.replayed && !second.replayed && sameAnswer) {
                // A busy machine can delay A's send past B's: B executed and A waited. Not a sample of B's wake-up.
                samples.reversed++;
                continue;
            }
            // Only a B that was sent while A was still in flight had to be woken.
            samples.add(second.arrived - firstAnswer.arrived, bSent < firstAnswer.arrived, second.replayed && sameAnswer);
            if (!(second.replayed && sameAnswer) && samples.notReplayed <= 5) {
                System.err.printf("key %s: A answered %d, B answered %d (replayed header %s)%n", key,
                        firstAnswer.status, second.status, second.replayed);
            }
        }
        return samples;
    }

    private static Answer send(HttpClient client, URI target, String key) {
        HttpRequest request = HttpRequest.newBuilder(target).timeout(TIMEOUT)
                .header("Content-Type", "application/json").header("Idempotency-Key", key)
                .POST(HttpRequest.BodyPublishers.ofString("{\"amount\":100}")).build();
        try {
            HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
            long arrived = System.nanoTime();
            return new Answer(response.statusCode(), response.body(),
                    response.headers().firstValue("Idempotent-Replayed").isPresent(), arrived);
        } catch (Exception e) {
            return new Answer(-1, new byte[0], false, System.nanoTime());
        }
    }

    private static String flag(List<String> args, String name, String fallback) {
        int at = args.indexOf(name);
        if (at < 0) {
            if (fallback == null) {
                throw new IllegalArgumentException(name + " is required");
            }
            return fallback;
        }
        if (at + 1 >= args.size()) {
            throw new IllegalArgumentException(name + " needs a value");
        }
        return args.get(at + 1);
    }

    private record Answer(int status, byte[] body, boolean replayed, long arrived) {
    }

    /** Delays of the B answers that were woken (sent while A was in flight) and replayed A's answer. */
    private static final class Samples {
        private final long[] nanos;
        private int size;
        private int notWoken;
        private int notReplayed;
        private int reversed;

        Samples(int capacity) {
            this.nanos = new long[capacity];
        }

        void add(long delayNanos, boolean woken, boolean replayed) {
            if (!replayed) {
                notReplayed++;
            } else if (!woken) {
                notWoken++;
            } else {
                nanos[size++] = delayNanos;
            }
        }

        String report(long offsetMillis) {
            long[] sorted = Arrays.copyOf(nanos, size);
            Arrays.sort(sorted);
            StringBuilder text = new StringBuilder();
            text.append(String.format("wake-up delay (A's response -> B's response), B sent %d ms after A%n", offsetMillis));
            text.append(String.format("  samples %d; left out: B sent after A's answer %d, A reached its gateway after B"
                    + " (B executed, A waited) %d; B not A's replay %d%n", size, notWoken, reversed, notReplayed));
            if (size > 0) {
                text.append(String.format("  min %s  p50 %s  p90 %s  p99 %s  max %s  (ms)",
                        ms(sorted[0]), ms(at(sorted, 0.50)), ms(at(sorted, 0.90)), ms(at(sorted, 0.99)),
                        ms(sorted[size - 1])));
            }
            return text.toString();
        }

        private static long at(long[] sorted, double quantile) {
            int index = (int) Math.ceil(quantile * sorted.length) - 1;
            return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
        }

        private static String ms(long nanos) {
            return String.format("%.2f", nanos / 1e6);
        }
    }
}
