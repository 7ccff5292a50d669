package io.idemgate.gateway.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.idemgate.gateway.testsupport.NettyLeakDetection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * The differential HTTP fuzzer: generated request streams ({@link RequestStreams}) sent raw to one
 * gateway in front of a {@link RecordingRawUpstream}, judged by {@link GatewayContract} against
 * {@link StrictHttp1Parser}. The property, for every client connection: the requests the upstream parsed
 * are exactly the requests the gateway accepted on that connection (method, target, body bytes), in
 * order, each answer goes back to the connection that asked, and the upstream parsed nothing that no
 * client was answered for.
 * <p>
 * Each try is a batch of {@link #BATCH} connections, {@link #THREADS} played at once (so answers to
 * different clients share the gateway's pooled upstream connections); {@link #TRIES} tries make 10,000
 * cases a run. The gateway's request timeouts are short so a stream it frames differently from the oracle ends
 * in a fraction of a second. The run prints how many cases it played. What it found on its own is listed
 * in docs/security.md.
 */
class HttpDifferentialFuzzIT {

    /** Connections per try, played by {@link #THREADS} clients at once. */
    static final int BATCH = Integer.getInteger("fuzz.batch", 200);
    static final int THREADS = 50;
    static final int TRIES = 50;
    private static final Duration DEADLINE = Duration.ofSeconds(15);
    /** A safety bound on a badly overloaded machine: batches after it are not played (and the count says so). */
    private static final Duration BUDGET = Duration.ofSeconds(Long.getLong("fuzz.budget-seconds", 300));

    private static FuzzBed bed;
    private static ExecutorService clients;
    private static final AtomicInteger connections = new AtomicInteger();
    private static final AtomicInteger batches = new AtomicInteger();
    private static final AtomicInteger skipped = new AtomicInteger();
    private static final AtomicLong answersFromUpstream = new AtomicLong();
    private static final AtomicLong answersFromGateway = new AtomicLong();
    private static final AtomicLong refusedByOracle = new AtomicLong();
    private static volatile int checkedUpTo;
    private static long startNanos;

    @BeforeContainer
    static void start() throws Exception {
        NettyLeakDetection.install();
        bed = FuzzBed.start("150ms");
        clients = Executors.newFixedThreadPool(THREADS, r -> {
            Thread t = new Thread(r, "fuzz-client");
            t.setDaemon(true);
            return t;
        });
        startNanos = System.nanoTime();
    }

    @AfterContainer
    static void stop() throws Exception {
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startNanos);
        System.out.printf("HTTP differential fuzz: %,d cases (client connections) in %d batches, %,d answers from the"
                        + " upstream, %,d from the gateway itself, %,d streams the strict parser refuses in part; %,d upstream"
                        + " requests, %d s%s%n", connections.get(), batches.get(), answersFromUpstream.get(),
                answersFromGateway.get(), refusedByOracle.get(), bed == null ? 0 : bed.upstream().lastSeq(), seconds,
                skipped.get() == 0 ? "" : "; TIME BUDGET REACHED, " + skipped.get() + " batches not played");
        if (clients != null) {
            clients.shutdownNow();
        }
        if (bed != null) {
            bed.close();
        }
        List<String> leaks = NettyLeakDetection.collectLeaks();
        assertThat(leaks).as("Netty leaks during the fuzz run").isEmpty();
    }

    @Provide
    Arbitrary<List<RequestStreams.Generated>> batches() {
        return RequestStreams.streams().list().ofSize(BATCH);
    }

    @Property(tries = TRIES, seed = "")
    void upstreamParsesExactlyWhatTheGatewayAcceptedOnEachConnection(@ForAll("batches") List<RequestStreams.Generated> batch)
            throws Exception {
        if (System.nanoTime() - startNanos > BUDGET.toNanos()) {
            skipped.incrementAndGet();
            return;
        }
        batches.incrementAndGet();
        List<Future<ClientOutcome>> played = new ArrayList<>(batch.size());
        for (RequestStreams.Generated g : batch) {
            int id = connections.incrementAndGet();
            List<byte[]> writes = g.tagged(id);
            played.add(clients.submit(() -> RawConnection.play(bed.port(), writes, DEADLINE)));
        }
        List<String> violations = new ArrayList<>();
        java.util.Map<String, ClientOutcome> byTag = new java.util.HashMap<>();
        for (Future<ClientOutcome> f : played) {
            ClientOutcome outcome = f.get(DEADLINE.toSeconds() * (BATCH / THREADS + 1) + 10, TimeUnit.SECONDS);
            java.util.regex.Matcher tag = java.util.regex.Pattern.compile("c\\d{6}").matcher(Bytes.escape(outcome.sent()));
            if (tag.find()) {
                byTag.put(tag.group(), outcome);
            }
            for (ClientOutcome.Answer a : outcome.answers()) {
                (a.upstreamSeq() == null ? answersFromGateway : answersFromUpstream).incrementAndGet();
            }
            if (!StrictHttp1Parser.parseAll(outcome.sent()).clean()) {
                refusedByOracle.incrementAndGet();
            }
            for (String v : bed.check(outcome)) {
                violations.add(v + "\n    on " + outcome);
            }
        }
        // Every client of the batch has its answers: whatever the upstream parsed by now and no one was
        // answered for was smuggled (a later one is caught by the next batch).
        int last = bed.upstream().lastSeq();
        for (String v : bed.unclaimed(checkedUpTo, last)) {
            java.util.regex.Matcher tag = java.util.regex.Pattern.compile("c\\d{6}").matcher(v);
            violations.add(v + (tag.find() && byTag.containsKey(tag.group()) ? "\n    sent on " + byTag.get(tag.group()) : ""));
        }
        checkedUpTo = last;
        violations.addAll(bed.upstream().unparsable());
        assertThat(violations).isEmpty();
    }
}
