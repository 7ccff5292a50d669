package io.idemgate.gateway.tls;

import io.idemgate.gateway.config.TlsFiles;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS side of one listener: the current server context, swapped when the certificate or key file
 * changes. New handshakes take the context current at accept time; open connections keep theirs. A
 * file that cannot be used keeps the old context, as a bad route file keeps the old routes.
 */
public final class ServerTls {

    private static final Logger log = LoggerFactory.getLogger(ServerTls.class);
    private static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    private final TlsFiles files;
    private final boolean offerH2;
    private volatile SslContext current;
    private volatile String subject;
    private Object stamp; // the reload thread's only

    /**
     * @param offerH2 announce {@code h2} before {@code http/1.1} by ALPN (the proxy listener); otherwise only http/1.1
     * @throws TlsFileException when the files cannot make a context (at start: the gateway does not start)
     */
    public ServerTls(TlsFiles files, boolean offerH2) throws TlsFileException {
        this.files = files;
        this.offerH2 = offerH2;
        this.stamp = stamp();
        this.current = build();
    }

    public SslHandler newHandler(ByteBufAllocator alloc) {
        return current.newHandler(alloc);
    }

    public TlsFiles files() {
        return files;
    }

    /** The current certificate's subject, for logs. */
    public String subject() {
        return subject;
    }

    /** Whether either file changed (time, size or symlink target) since the last {@link #reload}. */
    Object stamp() {
        return List.of(fileStamp(files.cert()), fileStamp(files.key()));
    }

    boolean changedSince(Object seen) {
        return !Objects.equals(seen, stamp);
    }

    /**
     * Builds a context from the files as they are now and swaps it in.
     *
     * @throws TlsFileException the files are unusable; the old context stays
     */
    void reload(Object newStamp) throws TlsFileException {
        stamp = newStamp;
        current = build();
    }

    private SslContext build() throws TlsFileException {
        PemFiles.KeyMaterial material = PemFiles.read(files);
        X509Certificate leaf = material.chain()[0];
        try {
            SslContextBuilder b = SslContextBuilder.forServer(material.key(), material.chain())
                    .sslProvider(TlsProvider.get())
                    .protocols(PROTOCOLS)
                    .applicationProtocolConfig(new ApplicationProtocolConfig(
                            ApplicationProtocolConfig.Protocol.ALPN,
                            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                            offerH2 ? List.of(ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1)
                                    : List.of(ApplicationProtocolNames.HTTP_1_1)));
            if (offerH2) {
                // RFC 9113 §9.2.2: h2 over TLS 1.2 only with AEAD suites; this list is the RFC's.
                b.ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE);
            }
            SslContext ctx = b.build();
            subject = leaf.getSubjectX500Principal().getName();
            log.atInfo().addKeyValue("tls_cert", files.cert()).addKeyValue("not_after", leaf.getNotAfter().toInstant())
                    .log("{}: serving certificate {} (expires {})", files.keyPath(), subject, leaf.getNotAfter().toInstant());
            return ctx;
        } catch (SSLException | RuntimeException e) {
            throw new TlsFileException(files.keyPath() + ": " + files.cert() + " and " + files.key()
                    + " do not make a TLS context: " + e.getMessage(), e);
        }
    }

    private static Object fileStamp(Path file) {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return List.of(file.toRealPath().toString(), a.lastModifiedTime().toMillis(), a.size());
        } catch (IOException e) {
            return "missing";
        }
    }
}
