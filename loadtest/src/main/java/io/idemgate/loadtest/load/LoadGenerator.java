package io.idemgate.loadtest.load;

import io.idemgate.loadtest.upstream.NettyTransport;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.io.PrintStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Sends the load: plans requests at a constant arrival rate (or back to back in closed loop),
 * hands them to free connections, records each answer. Everything — planning, sending, recording —
 * runs on one event loop, so no state here is shared between threads; {@link #run} blocks the
 * caller until the run has drained.
 */
public final class LoadGenerator {

    private static final long RECONNECT_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final LoadOptions options;
    private final PrintStream out;
    private final NettyTransport transport = NettyTransport.detect();
    private final KeyBook book;
    private final LatencyStats stats = new LatencyStats();
    private final ArrayDeque<PlannedRequest> backlog = new ArrayDeque<>();
    private final ArrayDeque<ClientConnection> idle = new ArrayDeque<>();
    private final List<ClientConnection> open = new ArrayList<>();
    private final Map<String, Long> errors = new TreeMap<>();
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private final MessageDigest sha256;
    private final Targets targets;
    private final FaultCommands faults;
    private final OperationHistory history;
    private EventLoop loop;
    /** Created when sending begins. */
    private Timeline timeline;
    private long startNanos;
    private long lastTickNanos;
    /** Requests due (open loop) or sent (closed loop) before this are the warm-up: answered, not measured. */
    private long measureFromNanos;
    private long nextBurstNanos;
    private long planned;
    /** Requests planned by the arrival rate (bursts apart): the index of the next intended send time. */
    private long ratePlanned;
    private long sendEndNanos = Long.MAX_VALUE;
    private long sent;
    private long completed;
    /** Requests that got an HTTP response (any status). */
    private long responses;
    /** Planned and sent after the warm-up: what the rate is judged on. */
    private long plannedMeasured;
    private long sentMeasured;
    private long lastMeasuredSendNanos;
    private long connectFailures;
    private String lastConnectError;
    private long lastProgressCompleted;
    private long inFlight;
    private long lastProgressSent;
    private long lastProgressNanos;
    private int connectsPending;
    private boolean sending;
    private boolean finished;

    public LoadGenerator(LoadOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
        this.book = new KeyBook(options.keySpace(), options.bodyBytes(), expectedKeys(options));
        this.faults = new FaultCommands(out);
        this.history = new OperationHistory(options.history());
        this.targets = new Targets(options);
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Open loop: the keys the rate and durations plan (a little over: duplicates reuse keys); closed: unknown. */
    private static long expectedKeys(LoadOptions options) {
        if (options.closedLoop()) {
            return 16;
        }
        double seconds = (options.warmup().toNanos() + options.duration().toNanos()) / 1e9;
        double bursts = options.burst() > 0 ? seconds / (options.burstEvery().toNanos() / 1e9) : 0;
        return (long) Math.min(1 << 22, options.rate() * seconds + bursts);
    }

    /** Runs the load, then verifies; blocks until both are over. */
    public LoadResult run() throws InterruptedException {
        EventLoopGroup group = transport.newEventLoopGroup(1, "loadgen");
        try {
            loop = group.next();
            targets.bind(loop, transport, this);
            loop.execute(this::connectAll);
            long bound = options.warmup().toMillis() + options.duration().toMillis() + options.timeout().toMillis() + 30_000;
            try {
                done.get(bound, TimeUnit.MILLISECONDS);
            } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
                out.println("load: the run did not drain in time: " + e);
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
            faults.close();
            history.close();
        }
        Verification verification = new ExactlyOnceVerifier(options).verify(book.keys().values(), out);
        Timeline seconds = timeline != null ? timeline : new Timeline(startNanos, System.currentTimeMillis(), measureFromNanos);
        return new LoadResult(options, pace(seconds), planned, sent, completed, responses, errors, stats, seconds,
                verification.keys(), verification, connectFailures, lastConnectError);
    }

    private Pace pace(Timeline seconds) {
        double asked = options.duration().toNanos() / 1e9;
        double window = asked;
        if (lastMeasuredSendNanos != 0) {
            window = Math.max(asked, (lastMeasuredSendNanos - measureFromNanos) / 1e9);
        }
        return new Pace(plannedMeasured, sentMeasured, asked, window, seconds.measuredMaxBacklog());
    }

    private void connectAll() {
        connectsPending = options.connections();
        for (int i = 0; i < options.connections(); i++) {
            connect(targets.nextTarget());
        }
        // Sending starts when every connection is up or has failed, or after 2 s, whichever is first.
        loop.schedule(this::begin, 2, TimeUnit.SECONDS);
    }

    private void connect(int target) {
        targets.connect(target).addListener(f -> {
            if (!f.isSuccess()) {
                // Attempts, not requests: a dead target is retried every 200 ms per connection.
                connectFailures++;
                lastConnectError = String.valueOf(f.cause().getMessage());
                connectAttemptDone();
                if (startNanos != 0 && !sending && open.isEmpty() && inFlight == 0) {
                    finish(); // sending is over and the target is gone: what is left can never be sent
                    return;
                }
                if (!finished) {
                    loop.schedule(() -> connect(target), RECONNECT_DELAY_NANOS * 4, TimeUnit.NANOSECONDS);
                }
            }
        });
    }

    private void connectAttemptDone() {
        if (--connectsPending == 0) {
            begin();
        }
    }

    void connected(ClientConnection c) {
        open.add(c);
        idle.add(c);
        if (connectsPending > 0) {
            connectAttemptDone();
        } else {
            dispatch();
        }
    }

    void closed(ClientConnection c) {
        open.remove(c);
        idle.remove(c);
        if (!finished) {
            loop.schedule(() -> connect(c.target()), RECONNECT_DELAY_NANOS, TimeUnit.NANOSECONDS);
        }
    }

    private void begin() {
        if (startNanos != 0) {
            return;
        }
        startNanos = System.nanoTime();
        long sendNanos = options.warmup().toNanos() + options.duration().toNanos();
        sendEndNanos = startNanos + sendNanos;
        measureFromNanos = startNanos + options.warmup().toNanos();
        timeline = new Timeline(startNanos, System.currentTimeMillis(), measureFromNanos);
        if (open.isEmpty()) {
            // Not one connection came up: nothing can be measured, say so now instead of retrying for the whole run.
            finish();
            return;
        }
        lastProgressNanos = startNanos;
        lastTickNanos = startNanos;
        nextBurstNanos = startNanos + options.burstEvery().toNanos();
        sending = true;
        faults.start(options, loop);
        loop.scheduleAtFixedRate(this::tick, 0, 1, TimeUnit.MILLISECONDS);
        // Fixed delay, not rate: after a stall, one line rather than a burst of catch-up lines.
        loop.scheduleWithFixedDelay(() -> {
            if (!finished) {
                progress();
            }
        }, 1, 1, TimeUnit.SECONDS);
        // One sweep for request timeouts instead of a timer per request.
        loop.scheduleAtFixedRate(this::expireOverdue, 50, 50, TimeUnit.MILLISECONDS);
        if (options.warmup().toNanos() > 0) {
            out.printf("warm-up for %.1f s: sent, answered and verified, not measured%n", options.warmup().toNanos() / 1e9);
            loop.schedule(() -> out.printf("warm-up over: measuring for %.1f s%n", options.duration().toNanos() / 1e9),
                    options.warmup().toNanos(), TimeUnit.NANOSECONDS);
        }
        loop.schedule(this::stopSending, sendNanos, TimeUnit.NANOSECONDS);
        loop.schedule(this::finish, sendNanos + options.timeout().toNanos() + TimeUnit.SECONDS.toNanos(1),
                TimeUnit.NANOSECONDS);
    }

    private void tick() {
        if (!sending) {
            return;
        }
        long clock = System.nanoTime();
        // A late tick is this generator's own stall (its collector, a starved core), not the target's.
        timeline.tick(clock, clock - lastTickNanos, TICK_NANOS);
        lastTickNanos = clock;
        // Plan what was due by now, but never past the end of the send window: a stop that runs late on a
        // busy loop must not plan more than the rate and duration asked for.
        long now = Math.min(clock, sendEndNanos);
        if (!options.closedLoop()) {
            long due = (long) ((now - startNanos) / 1e9 * options.rate());
            while (ratePlanned < due) {
                plan(nextKey(), startNanos + (long) (ratePlanned * 1e9 / options.rate()));
                ratePlanned++;
            }
        }
        while (options.burst() > 0 && now >= nextBurstNanos && nextBurstNanos < sendEndNanos) {
            KeyBook.KeyState k = book.fresh();
            for (int i = 0; i < options.burst(); i++) {
                plan(k, nextBurstNanos);
            }
            nextBurstNanos += options.burstEvery().toNanos();
        }
        timeline.backlog(clock, backlog.size());
        dispatch();
    }

    private KeyBook.KeyState nextKey() {
        return options.duplicateRatio() > 0 && ThreadLocalRandom.current().nextDouble() < options.duplicateRatio()
                ? book.duplicate() : book.fresh();
    }

    private void plan(KeyBook.KeyState key, long intendedNanos) {
        planned++;
        timeline.planned(intendedNanos);
        if (intendedNanos >= measureFromNanos) {
            plannedMeasured++;
        }
        if (backlog.size() >= options.maxBacklog()) {
            count("dropped_backlog_full");
            return;
        }
        backlog.add(new PlannedRequest(key, intendedNanos));
    }

    private void dispatch() {
        while (!idle.isEmpty()) {
            if (backlog.isEmpty()) {
                if (!(sending && options.closedLoop())) {
                    return;
                }
                plan(nextKey(), System.nanoTime());
            }
            ClientConnection c = idle.poll();
            if (c.isActive()) {
                send(c, backlog.poll());
            }
        }
    }

    private void send(ClientConnection c, PlannedRequest p) {
        p.sentNanos = System.nanoTime();
        history.sending(p);
        p.otherInFlight = p.key.inFlight > 0;
        p.key.inFlight++;
        p.key.sent++;
        sent++;
        inFlight++;
        if (p.intendedNanos >= measureFromNanos) {
            sentMeasured++;
            lastMeasuredSendNanos = p.sentNanos;
        }
        timeline.sent(p.sentNanos, inFlight);
        c.send(p, targets.request(c.target(), p.key));
    }

    private void expireOverdue() {
        if (finished) {
            return;
        }
        long deadline = System.nanoTime() - options.timeout().toNanos();
        for (ClientConnection c : List.copyOf(open)) {
            c.expireIfSentBefore(deadline);
        }
    }

    void answered(ClientConnection c, PlannedRequest p, int status, boolean replayed, long hash, String problem,
                  boolean keepAlive) {
        history.answered(p, status, replayed, hash, problem);
        Outcome outcome = Outcome.classify(status, replayed, p.otherInFlight);
        responses++;
        complete(p, outcome);
        if (outcome == Outcome.ERROR) {
            count("status_" + status);
        }
        if (status >= 200 && status < 300) {
            book.recordSuccess(p.key, status, hash);
        }
        if (keepAlive && c.isActive()) {
            idle.add(c);
        }
        dispatch();
        checkDrained();
    }

    void failed(PlannedRequest p, String reason) {
        history.failed(p, finished ? "in_flight_at_deadline" : reason);
        complete(p, Outcome.ERROR);
        count(finished ? "in_flight_at_deadline" : reason);
        checkDrained();
    }

    private void complete(PlannedRequest p, Outcome outcome) {
        p.key.inFlight--;
        inFlight--;
        completed++;
        long now = System.nanoTime();
        long from = options.closedLoop() ? p.sentNanos : p.intendedNanos;
        timeline.answered(from, now, outcome == Outcome.ERROR);
        if (from >= measureFromNanos) {
            stats.record(outcome, now - from);
        }
    }

    private void count(String reason) {
        errors.merge(reason, 1L, Long::sum);
    }

    long hash(ByteBuf content) {
        sha256.update(content.nioBuffer());
        byte[] d = sha256.digest();
        long h = 0;
        for (int i = 0; i < 8; i++) {
            h = (h << 8) | (d[i] & 0xff);
        }
        return h;
    }

    private void stopSending() {
        sending = false;
        checkDrained();
    }

    private void checkDrained() {
        if (!sending && startNanos != 0 && backlog.isEmpty() && inFlight == 0) {
            finish();
        }
    }

    private void finish() {
        if (finished) {
            return;
        }
        finished = true;
        sending = false;
        if (!backlog.isEmpty()) {
            errors.merge("not_sent_by_deadline", (long) backlog.size(), Long::sum);
            backlog.clear();
        }
        if (completed != lastProgressCompleted || sent != lastProgressSent) {
            progress(); // the final counts, unless the last periodic line already showed them
        }
        for (ClientConnection c : List.copyOf(open)) {
            c.close();
        }
        done.complete(null);
    }

    private void progress() {
        long now = System.nanoTime();
        double interval = Math.max(1e-9, (now - lastProgressNanos) / 1e9);
        long errorCount = errors.values().stream().mapToLong(Long::longValue).sum();
        out.printf("[%5.1fs] sent %d (%.0f/s)  done %d  errors %d  conflicts %d  in-flight %d  backlog %d  p99 %.2f ms%n",
                (now - startNanos) / 1e9, sent, (sent - lastProgressSent) / interval, completed, errorCount,
                stats.count(Outcome.CONFLICT), inFlight, backlog.size(), LatencyStats.millis(stats.all(), 99));
        lastProgressSent = sent;
        lastProgressCompleted = completed;
        lastProgressNanos = now;
    }
}
