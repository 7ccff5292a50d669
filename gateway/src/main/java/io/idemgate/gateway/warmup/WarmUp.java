package io.idemgate.gateway.warmup;

import io.idemgate.gateway.Gateway;
import io.idemgate.gateway.config.GatewayConfig;
import io.idemgate.gateway.config.IdempotencyConfig;
import io.idemgate.gateway.transport.Transport;
import io.netty.channel.EventLoopGroup;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The self-warm-up before the start ({@code server.warm-up}): a private gateway (its own loopback port,
 * memory store and metrics registry, access lines discarded) in front of a loopback upstream takes
 * pass-through and idempotent POSTs from in-process clients for that long, then everything of it is closed.
 * The request path's classes are loaded and its hot methods compiled by the JIT before the real port opens,
 * which archives alone (CDS, AOT cache) do not do: they load classes, the JIT still needs the CPU time.
 *
 * <p>Never throws: a warm-up that fails is logged and the start goes on, cold.
 */
public final class WarmUp {

    private static final Logger log = LoggerFactory.getLogger(WarmUp.class);
    private static final Duration PRIVATE_GRACE = Duration.ofSeconds(1);
    private static final PrintStream DISCARD = new PrintStream(OutputStream.nullOutputStream());

    /** How the private gateway starts; a seam for tests. */
    interface PrivateStart {
        Gateway start(GatewayConfig config, PrintStream accessOut) throws InterruptedException;
    }

    private WarmUp() {
    }

    /**
     * Runs the warm-up {@code config.server().warm-up} asks for: its traffic runs that long, or less once the
     * JIT has settled; starting and closing the private gateway come on top (its class loading is what the
     * real start then skips). @return what it did; null when it is off
     */
    public static WarmUpReport run(GatewayConfig config) {
        Duration bound = config.server().warmUp();
        return bound.isZero() ? null : run(config, bound, Gateway::startPrivate);
    }

    static WarmUpReport run(GatewayConfig config, Duration bound, PrivateStart privateStart) {
        long start = System.nanoTime();
        WarmUpTraffic traffic = new WarmUpTraffic(config.routes().stream()
                .anyMatch(r -> r.idempotency().mode() != IdempotencyConfig.Mode.OFF));
        String error = null;
        EventLoopGroup loops = null;
        LoopbackUpstream upstream = null;
        Gateway gateway = null;
        long trafficStart = 0;
        long closeStart = 0;
        try {
            Transport transport = Transport.detect();
            // Clients and upstream on threads of their own, at most two: on a small machine they share the
            // cores with the gateway's loops and the JIT.
            loops = transport.newEventLoopGroup(Math.min(2, Runtime.getRuntime().availableProcessors()),
                    "idemgate-warm-up");
            upstream = LoopbackUpstream.start(transport, loops);
            gateway = privateStart.start(PrivateGatewayConfig.of(config, upstream.port()), DISCARD);
            trafficStart = System.nanoTime();
            traffic.run(transport, loops, gateway.proxyPort(), bound);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            error = "interrupted";
        } catch (Exception | LinkageError e) {
            error = e.toString();
        } finally {
            closeStart = System.nanoTime();
            error = close(gateway, upstream, loops, error);
        }
        long end = System.nanoTime();
        Duration took = Duration.ofNanos(end - start);
        WarmUpReport report = new WarmUpReport(took, traffic.passThrough.sum(), traffic.idempotent.sum(),
                traffic.replayed.sum(), traffic.failed.sum(), error);
        var line = (report.succeeded() ? log.atInfo() : log.atWarn())
                .addKeyValue("warm_up_ms", took.toMillis()).addKeyValue("bound_ms", bound.toMillis())
                .addKeyValue("start_ms", millis(start, trafficStart)).addKeyValue("traffic_ms", millis(trafficStart, closeStart))
                .addKeyValue("close_ms", millis(closeStart, end))
                .addKeyValue("requests", report.requests()).addKeyValue("pass_through", report.passThrough())
                .addKeyValue("idempotent", report.idempotent()).addKeyValue("replayed", report.replayed())
                .addKeyValue("failed", report.failed()).addKeyValue("jit_settled", traffic.jitSettled);
        if (traffic.firstFailure.get() != null) {
            line = line.addKeyValue("first_failure", traffic.firstFailure.get());
        }
        if (report.succeeded()) {
            line.log("warm-up done: {} requests in {} ms through a private gateway, none to your upstreams or store",
                    report.requests(), took.toMillis());
        } else {
            line.addKeyValue("error", error).log("warm-up failed after {} requests in {} ms, starting anyway: {}",
                    report.requests(), took.toMillis(), error);
        }
        return report;
    }

    /** Milliseconds from one phase's start to the next's; 0 when the phase did not run. */
    private static long millis(long from, long to) {
        return from == 0 ? 0 : TimeUnit.NANOSECONDS.toMillis(to - from);
    }

    /** Closes what was started, last first; @return the first error of the run or of closing. */
    private static String close(Gateway gateway, LoopbackUpstream upstream, EventLoopGroup loops, String error) {
        try {
            if (gateway != null) {
                gateway.stop(PRIVATE_GRACE);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            error = error != null ? error : "interrupted";
        } catch (RuntimeException e) {
            error = error != null ? error : "closing the private gateway: " + e;
        }
        try {
            if (upstream != null) {
                upstream.close();
            }
        } catch (RuntimeException e) {
            error = error != null ? error : "closing the loopback upstream: " + e;
        }
        if (loops != null) {
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        return error;
    }
}
