package io.idemgate.gateway.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * Adds what the upstream needs to know about the hop it did not see: who the client was
 * ({@code X-Forwarded-For}, appended so earlier proxies stay visible), which scheme and host the
 * client used ({@code X-Forwarded-Proto}, {@code X-Forwarded-Host}, set by us because we saw them),
 * and that we were on the path ({@code Via}).
 */
public final class ForwardedHeaders {

    public static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    public static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
    public static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");

    private final String via;

    /** @param viaName the pseudonym in {@code Via}, e.g. {@code idemgate} */
    public ForwardedHeaders(String viaName) {
        this.via = "1.1 " + viaName;
    }

    public void applyToRequest(HttpHeaders headers, SocketAddress client, String scheme) {
        applyToRequest(headers, client instanceof InetSocketAddress inet ? clientIp(inet) : null, scheme);
    }

    /**
     * @param clientIp the client's address as text (the connection keeps it, so no request formats it
     *                 again), or null when it has none
     */
    public void applyToRequest(HttpHeaders headers, String clientIp, String scheme) {
        if (clientIp != null) {
            String prior = headers.get(X_FORWARDED_FOR);
            headers.set(X_FORWARDED_FOR, prior == null || prior.isBlank() ? clientIp : prior + ", " + clientIp);
        }
        headers.set(X_FORWARDED_PROTO, scheme);
        String host = headers.get(HttpHeaderNames.HOST);
        if (host != null) {
            headers.set(X_FORWARDED_HOST, host);
        }
        appendVia(headers);
    }

    public void applyToResponse(HttpHeaders headers) {
        appendVia(headers);
    }

    private void appendVia(HttpHeaders headers) {
        String prior = headers.get(HttpHeaderNames.VIA);
        headers.set(HttpHeaderNames.VIA, prior == null ? via : prior + ", " + via);
    }

    private static String clientIp(InetSocketAddress address) {
        return address.getAddress() != null ? address.getAddress().getHostAddress() : address.getHostString();
    }
}
