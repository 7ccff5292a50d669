package io.idemgate.gateway.tls;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;

/**
 * OpenSSL (BoringSSL from netty-tcnative) when its native library loads, the JDK's provider otherwise.
 * Chosen once; the start log names it. {@code -Didemgate.tls.jdk=true} forces the JDK provider.
 */
public final class TlsProvider {

    private TlsProvider() {
    }

    public static SslProvider get() {
        if (!Boolean.getBoolean("idemgate.tls.jdk") && OpenSsl.isAvailable() && SslProvider.isAlpnSupported(SslProvider.OPENSSL)) {
            return SslProvider.OPENSSL;
        }
        return SslProvider.JDK;
    }

    /** For the start log, e.g. {@code openssl (BoringSSL)} or {@code jdk (netty-tcnative not loaded: ...)}. */
    public static String describe() {
        if (get() == SslProvider.OPENSSL) {
            return "openssl (" + OpenSsl.versionString() + ")";
        }
        Throwable cause = OpenSsl.unavailabilityCause();
        return "jdk" + (Boolean.getBoolean("idemgate.tls.jdk") ? " (forced)"
                : cause == null ? "" : " (netty-tcnative not loaded: " + cause.getMessage() + ")");
    }
}
