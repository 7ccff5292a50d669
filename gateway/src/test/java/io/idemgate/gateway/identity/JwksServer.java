package io.idemgate.gateway.identity;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A real HTTPS JWKS endpoint on 127.0.0.1 with a certificate made for the test by the JDK's keytool:
 * self-signed for {@code IP:127.0.0.1}, so its PEM is the CA file the gateway is told to trust. The set
 * it serves can be swapped (key rotation) and the endpoint can be made to fail (500).
 */
final class JwksServer implements AutoCloseable {

    private final HttpsServer server;
    private final Path caPem;
    private final AtomicInteger fetches = new AtomicInteger();
    private volatile String jwks;
    private volatile boolean failing;

    private JwksServer(HttpsServer server, Path caPem, String jwks) {
        this.server = server;
        this.caPem = caPem;
        this.jwks = jwks;
    }

    static JwksServer start(Path dir, String jwks) throws Exception {
        Path p12 = dir.resolve("jwks-server.p12");
        Path pem = dir.resolve("jwks-ca.pem");
        char[] pass = "changeit".toCharArray();
        keytool("-genkeypair", "-alias", "jwks", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                "-dname", "CN=127.0.0.1", "-ext", "SAN=IP:127.0.0.1", "-storetype", "PKCS12",
                "-keystore", p12.toString(), "-storepass", "changeit", "-keypass", "changeit");
        keytool("-exportcert", "-rfc", "-alias", "jwks", "-keystore", p12.toString(), "-storepass", "changeit",
                "-file", pem.toString());
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(p12)) {
            ks.load(in, pass);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, pass);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(ctx));
        JwksServer s = new JwksServer(server, pem, jwks);
        server.createContext("/jwks", exchange -> {
            s.fetches.incrementAndGet();
            byte[] body = (s.failing ? "{\"error\":\"down\"}" : s.jwks).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/jwk-set+json");
            exchange.sendResponseHeaders(s.failing ? 500 : 200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        return s;
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("keytool did not finish");
        }
        if (p.exitValue() != 0) {
            throw new IOException("keytool failed: " + out);
        }
    }

    String url() {
        return "https://127.0.0.1:" + server.getAddress().getPort() + "/jwks";
    }

    Path caPem() {
        return caPem;
    }

    int fetches() {
        return fetches.get();
    }

    void serve(String jwks) {
        this.jwks = jwks;
    }

    void failing(boolean failing) {
        this.failing = failing;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
