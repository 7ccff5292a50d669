package io.idemgate.gateway.tls;

import io.idemgate.gateway.config.TlsFiles;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads PEM certificate chains and PKCS#8 private keys with the JDK alone, and checks that a key belongs
 * to its certificate (a mismatch would otherwise show up only as failed handshakes).
 */
public final class PemFiles {

    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*?)-----END \\1-----");
    private static final String[] KEY_ALGORITHMS = {"RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS"};
    private static final byte[] PROBE = "idemgate key check".getBytes(StandardCharsets.US_ASCII);

    private PemFiles() {
    }

    /** A certificate chain and the private key of its first certificate. */
    public record KeyMaterial(X509Certificate[] chain, PrivateKey key) {
    }

    /** Reads both files and checks the key matches the chain's first certificate. */
    public static KeyMaterial read(TlsFiles files) throws TlsFileException {
        X509Certificate[] chain = certificates(files.keyPath() + ".cert", files.cert()).toArray(new X509Certificate[0]);
        PrivateKey key = privateKey(files.keyPath() + ".key", files.key());
        if (!matches(key, chain[0])) {
            throw new TlsFileException(files.keyPath() + ": the key " + files.key() + " does not belong to the certificate "
                    + files.cert() + " (" + chain[0].getSubjectX500Principal() + ")", null);
        }
        return new KeyMaterial(chain, key);
    }

    /** @param keyPath the config key that named {@code file}, for the message */
    public static List<X509Certificate> certificates(String keyPath, Path file) throws TlsFileException {
        String text = readText(keyPath, file);
        List<X509Certificate> certs = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            Matcher m = BLOCK.matcher(text);
            while (m.find()) {
                if (m.group(1).equals("CERTIFICATE")) {
                    certs.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(decode(m.group(2)))));
                }
            }
        } catch (CertificateException | IllegalArgumentException e) {
            throw new TlsFileException(keyPath + ": " + file + " holds a certificate that cannot be parsed: " + e.getMessage(), e);
        }
        if (certs.isEmpty()) {
            throw new TlsFileException(keyPath + ": " + file + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)", null);
        }
        return certs;
    }

    public static PrivateKey privateKey(String keyPath, Path file) throws TlsFileException {
        String text = readText(keyPath, file);
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            String type = m.group(1);
            if (type.equals("PRIVATE KEY")) {
                return pkcs8(keyPath, file, decode(m.group(2)));
            }
            if (type.endsWith("PRIVATE KEY")) {
                throw new TlsFileException(keyPath + ": " + file + " holds a " + type + "; an unencrypted PKCS#8 key is needed"
                        + " (convert it: openssl pkcs8 -topk8 -nocrypt -in OLD -out NEW)", null);
            }
        }
        throw new TlsFileException(keyPath + ": " + file + " holds no PEM private key (-----BEGIN PRIVATE KEY-----)", null);
    }

    private static PrivateKey pkcs8(String keyPath, Path file, byte[] der) throws TlsFileException {
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                // not this algorithm: try the next
            }
        }
        throw new TlsFileException(keyPath + ": " + file + " holds a private key of an unsupported algorithm", null);
    }

    /** Signs a probe with the key and verifies it with the certificate's public key. */
    static boolean matches(PrivateKey key, X509Certificate cert) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> key.getAlgorithm(); // Ed25519, Ed448
        };
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(PROBE);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(cert.getPublicKey());
            verifier.update(PROBE);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static String readText(String keyPath, Path file) throws TlsFileException {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException | RuntimeException e) {
            throw new TlsFileException(keyPath + ": cannot read " + file + ": " + e, e);
        }
    }

    private static byte[] decode(String base64) {
        return Base64.getMimeDecoder().decode(base64);
    }
}
