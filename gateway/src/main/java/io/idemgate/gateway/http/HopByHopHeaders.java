package io.idemgate.gateway.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.List;

/**
 * Removes the headers that describe one connection and must not cross a proxy (RFC 9110 §7.6.1):
 * the fixed set, the obsolete ones still seen in the wild, and every field named in {@code Connection}.
 * Works in place so the hot path copies no header list.
 */
public final class HopByHopHeaders {

    private static final AsciiString[] FIXED = {
        HttpHeaderNames.CONNECTION,
        HttpHeaderNames.KEEP_ALIVE,
        HttpHeaderNames.PROXY_CONNECTION,
        HttpHeaderNames.PROXY_AUTHENTICATE,
        HttpHeaderNames.PROXY_AUTHORIZATION,
        HttpHeaderNames.TE,
        HttpHeaderNames.TRAILER,
        HttpHeaderNames.TRANSFER_ENCODING,
        HttpHeaderNames.UPGRADE,
    };

    private HopByHopHeaders() {
    }

    /** Strips hop-by-hop fields from {@code headers}. */
    public static void strip(HttpHeaders headers) {
        List<String> named = connectionOptions(headers);
        for (AsciiString name : FIXED) {
            headers.remove(name);
        }
        for (int i = 0; i < named.size(); i++) {
            headers.remove(named.get(i));
        }
    }

    /** Whether {@code name} is hop-by-hop by itself (not counting fields listed in {@code Connection}). */
    public static boolean isHopByHop(CharSequence name) {
        for (AsciiString fixed : FIXED) {
            if (fixed.contentEqualsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }

    /** The field names listed in the {@code Connection} header(s); empty in the common case of none. */
    static List<String> connectionOptions(HttpHeaders headers) {
        List<String> values = headers.getAll(HttpHeaderNames.CONNECTION);
        if (values.isEmpty()) {
            return List.of();
        }
        List<String> names = new ArrayList<>(2);
        for (String value : values) {
            for (String token : value.split(",")) {
                String t = token.trim();
                if (!t.isEmpty() && !"close".equalsIgnoreCase(t) && !"keep-alive".equalsIgnoreCase(t)) {
                    names.add(t);
                }
            }
        }
        return names;
    }
}
