package io.idemgate.gateway.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;

/**
 * What the upstream needs to know about the hop it did not see: who the client was
 * ({@code X-Forwarded-For}, appended so earlier proxies stay visible), which scheme and host the
 * client used ({@code X-Forwarded-Proto}, {@code X-Forwarded-Host}, set by us because we saw them),
 * and that we were on the path ({@code Via}, on responses too). The request's fields are written by
 * {@link UpstreamRequestHead}; the names and the Via text are here.
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

    /** What the gateway adds to {@code Via}: {@code 1.1 <name>}. */
    public String via() {
        return via;
    }

    public void applyToResponse(HttpHeaders headers) {
        appendVia(headers);
    }

    private void appendVia(HttpHeaders headers) {
        String prior = headers.get(HttpHeaderNames.VIA);
        headers.set(HttpHeaderNames.VIA, prior == null ? via : prior + ", " + via);
    }
}
