package io.idemgate.gateway.testsupport;

import java.util.function.Function;

/**
 * A {@link TestUpstream} and a {@link GatewayFixture} configured to forward to it: the setup most
 * integration tests share. Closing stops the gateway first, then the upstream. A bed exists only once
 * both are running, so a {@code null} field means there is nothing to close ({@code @AutoClose} skips it).
 *
 * <pre>{@code
 * @AutoClose
 * private static ProxyTestBed bed;
 *
 * @BeforeAll
 * static void start() throws Exception {
 *     bed = ProxyTestBed.start(url -> GatewayFixture.oneRoute("echo", url, ""));
 * }
 * }</pre>
 */
public final class ProxyTestBed implements AutoCloseable {

    private final TestUpstream upstream;
    private final GatewayFixture gateway;

    private ProxyTestBed(TestUpstream upstream, GatewayFixture gateway) {
        this.upstream = upstream;
        this.gateway = gateway;
    }

    /**
     * Starts an upstream, then a gateway from the HOCON that {@code hoconForUpstreamUrl} makes of the
     * upstream's URL. If the gateway does not start, the upstream is closed before the failure is thrown.
     */
    public static ProxyTestBed start(Function<String, String> hoconForUpstreamUrl) throws InterruptedException {
        TestUpstream upstream = TestUpstream.start();
        try {
            return new ProxyTestBed(upstream, GatewayFixture.start(hoconForUpstreamUrl.apply(upstream.url())));
        } catch (InterruptedException | RuntimeException | Error e) {
            closeAfterFailure(upstream, e);
            throw e;
        }
    }

    public TestUpstream upstream() {
        return upstream;
    }

    public GatewayFixture gateway() {
        return gateway;
    }

    /**
     * Stops the gateway, then the upstream. The upstream is closed even if stopping the gateway fails;
     * a second failure is added to the first as suppressed.
     */
    @Override
    public void close() throws InterruptedException {
        try {
            gateway.close();
        } catch (InterruptedException | RuntimeException | Error e) {
            closeAfterFailure(upstream, e);
            throw e;
        }
        upstream.close();
    }

    private static void closeAfterFailure(TestUpstream upstream, Throwable failure) {
        try {
            upstream.close();
        } catch (RuntimeException | Error e) {
            failure.addSuppressed(e);
        }
    }
}
