package io.idemgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.idemgate.gateway.testsupport.Behaviour;
import io.idemgate.gateway.testsupport.GatewayFixture;
import io.idemgate.gateway.testsupport.TestUpstream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sun.misc.Signal;

/** The SIGHUP handler GatewayMain installs, called directly: no signal is sent to the test JVM. */
class SighupReloadIT {

    @TempDir
    Path dir;

    @Test
    void theHangupHandlerReloadsTheRoutesWithoutBlockingTheSignalThread() throws Exception {
        try (TestUpstream a = TestUpstream.start().handle(Behaviour.respond(200, "from A"));
             TestUpstream b = TestUpstream.start().handle(Behaviour.respond(200, "from B"));
             GatewayFixture gateway = GatewayFixture.startFromFile(dir, GatewayFixture.oneRoute("api", a.url(), "")
                     + "idemgate.reload.watch-file = false\n")) {
            gateway.rewriteConfig(GatewayFixture.oneRoute("api", b.url(), "") + "idemgate.reload.watch-file = false\n");

            // Like the JVM's signal dispatcher thread: no context class loader, which Typesafe Config relies on.
            AtomicLong handlerNanos = new AtomicLong();
            Thread signalThread = new Thread(() -> {
                long started = System.nanoTime();
                GatewayMain.reloadOnHangup(gateway.gateway().reloader()).handle(new Signal("HUP"));
                handlerNanos.set(System.nanoTime() - started);
            }, "fake-signal-dispatcher");
            signalThread.setContextClassLoader(null);
            signalThread.start();
            signalThread.join(5_000);

            // The handler only queues the reload; reading the file and building pools happen elsewhere.
            assertThat(Duration.ofNanos(handlerNanos.get())).isPositive().isLessThan(Duration.ofMillis(500));

            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> gateway.client()
                    .send(HttpRequest.newBuilder(gateway.uri("/x")).build(), HttpResponse.BodyHandlers.ofString())
                    .body().equals("from B"));
        }
    }
}
