package io.idemgate.gateway.fuzz;

import io.idemgate.gateway.testsupport.GatewayFixture;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A gateway in front of a {@link RecordingRawUpstream}, with a pass-through route ({@code /pass/**}) and
 * a deduplicated one ({@code /v1/**}), and short request timeouts so a stream the gateway reads
 * differently from the oracle ends in seconds, not minutes. Keeps the set of upstream requests some
 * client was answered for, across connections.
 */
final class FuzzBed implements AutoCloseable {

    private final RecordingRawUpstream upstream;
    private final GatewayFixture gateway;
    private final Set<Integer> claimed = ConcurrentHashMap.newKeySet();

    private FuzzBed(RecordingRawUpstream upstream, GatewayFixture gateway) {
        this.upstream = upstream;
        this.gateway = gateway;
    }

    static FuzzBed start() throws IOException, InterruptedException {
        return start("1s");
    }

    /** @param requestTimeout the gateway's request-header and request-body timeouts (HOCON duration) */
    static FuzzBed start(String requestTimeout) throws IOException, InterruptedException {
        RecordingRawUpstream upstream = RecordingRawUpstream.start();
        try {
            String url = upstream.url();
            return new FuzzBed(upstream, GatewayFixture.start(
                    "idemgate.server { request-header-timeout = " + requestTimeout + ", request-body-timeout = " + requestTimeout
                    + ", idle-timeout = 1s }\n"
                    + "idemgate.routes = [\n"
                    + "  { name = v1, match { path = \"/v1/**\" }, upstream { urls = [\"" + url + "\"] } }\n"
                    + "  { name = pass, match { path = \"/pass/**\" }, upstream { urls = [\"" + url + "\"] },"
                    + " idempotency { mode = off } }\n"
                    + "]\n"));
        } catch (InterruptedException | RuntimeException e) {
            upstream.close();
            throw e;
        }
    }

    RecordingRawUpstream upstream() {
        return upstream;
    }

    GatewayFixture gateway() {
        return gateway;
    }

    int port() {
        return gateway.port();
    }

    /** The contract's violations on one connection; its answered upstream requests are remembered. */
    List<String> check(ClientOutcome outcome) {
        return GatewayContract.check(outcome, upstream, claimed);
    }

    /** Upstream requests numbered in (from, to] that no client was answered for. */
    List<String> unclaimed(int from, int to) {
        return GatewayContract.unclaimed(upstream, from, to, claimed);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            gateway.close();
        } finally {
            upstream.close();
        }
    }
}
