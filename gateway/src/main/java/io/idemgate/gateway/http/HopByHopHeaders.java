package io.idemgate.gateway.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.Iterator;
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

    /** {@link #stripReadingConnection}: the {@code Connection} header listed {@code close}. */
    public static final int CLOSE = 1;
    /** {@link #stripReadingConnection}: the {@code Connection} header listed {@code keep-alive}. */
    public static final int KEEP_ALIVE = 2;

    private HopByHopHeaders() {
    }

    /**
     * Strips hop-by-hop fields as {@link #strip} does, reading the {@code Connection} field(s) once on the
     * way (one value iterator; no list; a String only for an option other than close and keep-alive), so a
     * response's keep-alive needs no second look.
     *
     * @return the {@link #CLOSE} and {@link #KEEP_ALIVE} bits of the tokens it listed (0: neither, or no field)
     */
    public static int stripReadingConnection(HttpHeaders headers) {
        int seen = 0;
        List<String> named = List.of();
        if (headers.contains(HttpHeaderNames.CONNECTION)) {
            Iterator<? extends CharSequence> values = headers.valueCharSequenceIterator(HttpHeaderNames.CONNECTION);
            while (values.hasNext()) {
                String value = values.next().toString(); // the decoder's values are Strings already
                int start = 0;
                while (start <= value.length()) {
                    int comma = value.indexOf(',', start);
                    int end = comma < 0 ? value.length() : comma;
                    int from = start;
                    while (from < end && value.charAt(from) <= ' ') {
                        from++;
                    }
                    int to = end;
                    while (to > from && value.charAt(to - 1) <= ' ') {
                        to--;
                    }
                    if (isToken(value, from, to, "close")) {
                        seen |= CLOSE;
                    } else if (isToken(value, from, to, "keep-alive")) {
                        seen |= KEEP_ALIVE;
                    } else if (to > from) {
                        if (named.isEmpty()) {
                            named = new ArrayList<>(2);
                        }
                        named.add(value.substring(from, to));
                    }
                    start = end + 1;
                }
            }
        }
        for (AsciiString name : FIXED) {
            headers.remove(name);
        }
        for (int i = 0; i < named.size(); i++) {
            headers.remove(named.get(i));
        }
        return seen;
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
        if (!headers.contains(HttpHeaderNames.CONNECTION)) {
            return List.of(); // getAll would copy an empty list
        }
        List<String> names = List.of();
        List<String> values = headers.getAll(HttpHeaderNames.CONNECTION);
        for (int v = 0; v < values.size(); v++) { // by index: no iterator
            String value = values.get(v);
            // The comma-separated tokens, each trimmed as String.trim does; close and keep-alive (nearly
            // every value) are recognised in place, so only a real option becomes a String.
            int start = 0;
            while (start <= value.length()) {
                int comma = value.indexOf(',', start);
                int end = comma < 0 ? value.length() : comma;
                int from = start;
                while (from < end && value.charAt(from) <= ' ') {
                    from++;
                }
                int to = end;
                while (to > from && value.charAt(to - 1) <= ' ') {
                    to--;
                }
                if (to > from && !isToken(value, from, to, "close") && !isToken(value, from, to, "keep-alive")) {
                    if (names.isEmpty()) {
                        names = new ArrayList<>(2);
                    }
                    names.add(value.substring(from, to));
                }
                start = end + 1;
            }
        }
        return names;
    }

    private static boolean isToken(String value, int from, int to, String token) {
        return to - from == token.length() && value.regionMatches(true, from, token, 0, token.length());
    }
}
