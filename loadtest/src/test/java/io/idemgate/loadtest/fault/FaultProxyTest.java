package io.idemgate.loadtest.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The fault proxy against a real echo server on loopback, switched through its HTTP control as a script would. */
@Timeout(60)
class FaultProxyTest {

    private ServerSocket echo;
    private final AtomicInteger echoConnections = new AtomicInteger();
    private final CopyOnWriteArrayList<Socket> echoSockets = new CopyOnWriteArrayList<>();
    private FaultProxy proxy;
    private ProxyControl control;
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws IOException {
        echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            while (!echo.isClosed()) {
                try {
                    Socket s = echo.accept();
                    echoConnections.incrementAndGet();
                    echoSockets.add(s);
                    Thread t = new Thread(() -> pump(s), "echo");
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    return;
                }
            }
        }, "echo-accept");
        acceptor.setDaemon(true);
        acceptor.start();
        proxy = FaultProxy.start("127.0.0.1", 0, "127.0.0.1", echo.getLocalPort());
        control = ProxyControl.start(proxy, "echo", "127.0.0.1", 0, new PrintStream(log, true, StandardCharsets.UTF_8));
    }

    private static void pump(Socket s) {
        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            byte[] buf = new byte[8192];
            int n;
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
                out.flush();
            }
        } catch (IOException ignored) {
            // the test closed or reset it
        }
    }

    @AfterEach
    void stop() throws IOException {
        control.close();
        proxy.close();
        echo.close();
        for (Socket s : echoSockets) {
            s.close();
        }
    }

    private Socket client(int readTimeoutMillis) throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), proxy.port());
        s.setSoTimeout(readTimeoutMillis);
        return s;
    }

    private static String roundTrip(Socket s, String text) throws IOException {
        s.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        return readExactly(s, text.length());
    }

    private static String readExactly(Socket s, int n) throws IOException {
        byte[] got = s.getInputStream().readNBytes(n);
        return new String(got, StandardCharsets.US_ASCII);
    }

    private HttpResponse<String> control(String method, String path) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + control.port() + path));
        b = method.equals("POST") ? b.POST(HttpRequest.BodyPublishers.noBody()) : b.GET();
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void forwardsBothWaysWithoutFaults() throws Exception {
        try (Socket s = client(10_000)) {
            assertThat(roundTrip(s, "hello")).isEqualTo("hello");
            assertThat(roundTrip(s, "x".repeat(200_000))).hasSize(200_000);
        }
        assertThat(control("GET", "/status").body()).contains("\"blackhole\":false").contains("\"accepted_connections\":1");
    }

    @Test
    void aBlackholeHoldsDataBothWaysUntilItIsLiftedAndLosesNothing() throws Exception {
        try (Socket s = client(300)) {
            assertThat(roundTrip(s, "before")).isEqualTo("before");
            assertThat(control("POST", "/blackhole").statusCode()).isEqualTo(200);
            s.getOutputStream().write("during".getBytes(StandardCharsets.US_ASCII));
            assertThatThrownBy(() -> s.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);

            assertThat(control("POST", "/heal").body()).contains("\"blackhole\":false");
            s.setSoTimeout(10_000);
            assertThat(readExactly(s, 6)).isEqualTo("during");
        }
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("proxy echo: BLACKHOLE on").contains("blackhole lifted");
    }

    @Test
    void aConnectionOpenedDuringABlackholeIsAcceptedButReachesTheTargetOnlyAfterIt() throws Exception {
        control("POST", "/blackhole");
        try (Socket s = client(300)) {
            s.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
            assertThatThrownBy(() -> s.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
            assertThat(echoConnections).hasValue(0);

            control("POST", "/heal");
            s.setSoTimeout(10_000);
            assertThat(readExactly(s, 4)).isEqualTo("ping");
            assertThat(echoConnections).hasValue(1);
        }
    }

    @Test
    void resetClosesEveryOpenConnectionAndNewOnesStillWork() throws Exception {
        try (Socket s = client(10_000)) {
            assertThat(roundTrip(s, "a")).isEqualTo("a");
            assertThat(control("POST", "/reset").body()).contains("\"reset_connections\":1");
            // RST: the read fails with a reset, or (if the reset raced the read) sees the end of the stream
            try {
                assertThat(s.getInputStream().read()).isEqualTo(-1);
            } catch (SocketException expected) {
                assertThat(expected.getMessage()).containsIgnoringCase("reset");
            }
        }
        try (Socket again = client(10_000)) {
            assertThat(roundTrip(again, "b")).isEqualTo("b");
        }
    }

    @Test
    void latencyAndBandwidthDelayButKeepOrder() throws Exception {
        control("POST", "/latency?value=150ms");
        try (Socket s = client(10_000)) {
            long t0 = System.nanoTime();
            assertThat(roundTrip(s, "slow")).isEqualTo("slow");
            assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(300_000_000L); // 150 ms each way, a lower bound only

            control("POST", "/latency?value=0");
            control("POST", "/bandwidth?value=8000");
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < 400; i++) {
                text.append(String.format("%09d,", i));
            }
            t0 = System.nanoTime();
            assertThat(roundTrip(s, text.toString())).isEqualTo(text.toString());
            assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(500_000_000L); // 4,000 bytes at 8,000 B/s, twice
        }
        assertThat(control("GET", "/status").body()).contains("\"bandwidth_bytes_per_second\":8000");
    }

    @Test
    void aScopedFaultHitsOnlyClientsFromThatAddress() throws Exception {
        control("POST", "/scope?value=127.0.0.2");
        control("POST", "/blackhole");
        try (Socket other = new Socket(InetAddress.getLoopbackAddress(), proxy.port(), InetAddress.getByName("127.0.0.2"), 0);
                Socket healthy = client(10_000)) {
            other.setSoTimeout(300);
            other.getOutputStream().write("x".getBytes(StandardCharsets.US_ASCII));
            assertThat(roundTrip(healthy, "fine")).isEqualTo("fine");
            assertThatThrownBy(() -> other.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
            assertThat(control("POST", "/reset").body()).contains("\"reset_connections\":1").contains("\"from\":\"127.0.0.2\"");
            assertThat(roundTrip(healthy, "still")).isEqualTo("still");
        }
    }

    @Test
    void badControlsAreRefusedWithAReason() throws Exception {
        assertThat(control("POST", "/latency").statusCode()).isEqualTo(400);
        assertThat(control("POST", "/latency?value=soon").statusCode()).isEqualTo(400);
        assertThat(control("POST", "/bandwidth?value=lots").statusCode()).isEqualTo(400);
        HttpResponse<String> unknown = control("POST", "/explode");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("/blackhole");
        assertThat(control("GET", "/blackhole").statusCode()).isEqualTo(405);
        assertThat(proxy.faults()).isEqualTo(Faults.NONE);
    }
}
