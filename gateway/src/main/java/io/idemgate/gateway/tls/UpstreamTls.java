package io.idemgate.gateway.tls;

import io.idemgate.gateway.config.UpstreamTlsConfig;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.NetUtil;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The client TLS context of one route's {@code https://} upstreams: TLS 1.3/1.2, the JVM's trusted CAs plus
 * {@code upstream.tls.ca}, the server's certificate checked against the url's host (RFC 2818 rules, as
 * browsers do), an optional client certificate. One context per route, shared by its connections, so its
 * session cache lets new connections resume instead of doing full handshakes.
 */
public final class UpstreamTls {

    private static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    private UpstreamTls() {
    }

    public static SslContext clientContext(UpstreamTlsConfig config) throws TlsFileException {
        SslContextBuilder b = SslContextBuilder.forClient()
                .sslProvider(TlsProvider.get())
                .protocols(PROTOCOLS);
        if (config.verify()) {
            b.trustManager(trust(config)).endpointIdentificationAlgorithm("HTTPS");
        } else {
            b.trustManager(InsecureTrustManagerFactory.INSTANCE).endpointIdentificationAlgorithm(null);
        }
        if (config.clientCert() != null) {
            PemFiles.KeyMaterial client = PemFiles.read(config.clientCert());
            b.keyManager(client.key(), client.chain());
        }
        try {
            return b.build();
        } catch (SSLException | RuntimeException e) {
            throw new TlsFileException(config.keyPath() + ": cannot make a TLS client context: " + e.getMessage(), e);
        }
    }

    /**
     * A handler for one connection to {@code host}: SNI and hostname verification name it. Netty (like the
     * JDK) sends SNI only for dotted names; single-label names such as {@code localhost} or a Compose or
     * Kubernetes service name ({@code https://payments:8443}) get it here too, as curl and Go send it, so an
     * upstream serving several names picks the right certificate. IP addresses never carry SNI (RFC 6066 §3),
     * nor do names SNI cannot spell (an underscore, a trailing dot).
     */
    public static SslHandler newHandler(SslContext context, ByteBufAllocator alloc, String host, int port) {
        SslHandler handler = context.newHandler(alloc, host, port);
        SNIHostName single = singleLabelSniName(host);
        if (single != null) {
            SSLEngine engine = handler.engine();
            SSLParameters parameters = engine.getSSLParameters();
            parameters.setServerNames(List.of(single));
            engine.setSSLParameters(parameters);
        }
        return handler;
    }

    /** The SNI name for a host without a dot that SNI can carry, or null (dotted names: Netty sends them). */
    static SNIHostName singleLabelSniName(String host) {
        if (host == null || host.isEmpty() || host.indexOf('.') >= 0 || host.indexOf(':') >= 0
                || NetUtil.isValidIpV4Address(host) || NetUtil.isValidIpV6Address(host)) {
            return null;
        }
        try {
            return new SNIHostName(host);
        } catch (IllegalArgumentException notAHostName) {
            return null;
        }
    }

    /** The JVM's default trust anchors, plus the CA file's certificates when there is one. */
    private static TrustManagerFactory trust(UpstreamTlsConfig config) throws TlsFileException {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            if (config.ca() == null) {
                tmf.init((KeyStore) null);
                return tmf;
            }
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int n = 0;
            for (X509Certificate jvm : jvmAnchors()) {
                store.setCertificateEntry("jvm-" + n++, jvm);
            }
            for (X509Certificate extra : PemFiles.certificates(config.keyPath() + ".ca", config.ca())) {
                store.setCertificateEntry("ca-" + n++, extra);
            }
            tmf.init(store);
            return tmf;
        } catch (GeneralSecurityException | IOException e) {
            throw new TlsFileException(config.keyPath() + ": cannot build the trust store: " + e.getMessage(), e);
        }
    }

    private static X509Certificate[] jvmAnchors() throws GeneralSecurityException {
        TrustManagerFactory jvm = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        jvm.init((KeyStore) null);
        for (TrustManager tm : jvm.getTrustManagers()) {
            if (tm instanceof X509TrustManager x509) {
                return x509.getAcceptedIssuers();
            }
        }
        return new X509Certificate[0];
    }
}
