package io.idemgate.gateway.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A throwaway certificate authority made with the {@code openssl} command line, and the certificates it
 * issues (EC P-256, PKCS#8 keys, valid for two days), in a test's own directory.
 */
public final class TestCertificates {

    /** A certificate chain file (leaf, then the CA) and its key file. */
    public record Issued(Path cert, Path key) {
    }

    private final Path dir;
    private final Path caCert;
    private final Path caKey;

    private TestCertificates(Path dir, Path caCert, Path caKey) {
        this.dir = dir;
        this.caCert = caCert;
        this.caKey = caKey;
    }

    /** @param name distinguishes several CAs in one directory (a wrong-CA test) */
    public static TestCertificates newCa(Path dir, String name) throws IOException, InterruptedException {
        Path cert = dir.resolve(name + "-ca.pem");
        Path key = dir.resolve(name + "-ca.key");
        openssl(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", key.toString(), "-out", cert.toString(), "-days", "2", "-subj", "/CN=" + name + " test CA");
        return new TestCertificates(dir, cert, key);
    }

    public Path caCert() {
        return caCert;
    }

    /**
     * Issues a certificate for {@code localhost} and {@code 127.0.0.1} (server and client use).
     *
     * @param name file name stem; issuing the same name again replaces the files in place
     */
    public Issued issue(String name) throws IOException, InterruptedException {
        return issue(name, "DNS:localhost,IP:127.0.0.1", dir.resolve(name + ".pem"), dir.resolve(name + ".key"));
    }

    /** Issues a certificate with the subject alternative names {@code san} (e.g. {@code DNS:a.example}) into the given files. */
    public Issued issue(String name, String san, Path certFile, Path keyFile) throws IOException, InterruptedException {
        String cn = san.replaceFirst("^(DNS|IP):", "").replaceFirst(",.*$", "");
        Path csr = dir.resolve(name + ".csr");
        Path ext = dir.resolve(name + ".ext");
        Path leaf = dir.resolve(name + ".leaf.pem");
        Files.writeString(ext, "subjectAltName=" + san + "\nbasicConstraints=CA:FALSE\n"
                + "keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\n");
        openssl(dir, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", keyFile.toString(), "-out", csr.toString(), "-subj", "/CN=" + cn);
        openssl(dir, "x509", "-req", "-in", csr.toString(), "-CA", caCert.toString(), "-CAkey", caKey.toString(),
                "-set_serial", Long.toString(System.nanoTime()), "-out", leaf.toString(), "-days", "2",
                "-extfile", ext.toString());
        Files.writeString(certFile, Files.readString(leaf) + Files.readString(caCert));
        return new Issued(certFile, keyFile);
    }

    /** A JDK client context that trusts this CA only. */
    public SSLContext clientContext() throws IOException, GeneralSecurityException {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(caCert)) {
            trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    private static void openssl(Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add("openssl");
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        byte[] output = p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("openssl " + String.join(" ", args) + " failed: " + new String(output, StandardCharsets.UTF_8));
        }
    }
}
