package io.idemgate.gateway.upstream;

import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The header names upstreams send most, each one shared {@link AsciiString} per spelling, for the
 * response decoder: Netty's makes a new name (object and bytes) per header line of every response, where
 * its request decoder already shares the common ones. A name matches only byte for byte, so the client
 * gets each name spelled as the upstream spelled it. Immutable; any thread.
 */
final class ResponseHeaderNames {

    private static final int LONGEST = 32;

    /** By length: the known spellings of that length. Title-Case (nginx, Apache, Go) and lower-case (Node, HTTP/2-minded servers). */
    private static final AsciiString[][] BY_LENGTH = table(
            "Server", "Date", "Content-Type", "Content-Length", "Connection", "Keep-Alive", "Transfer-Encoding",
            "Cache-Control", "ETag", "Last-Modified", "Location", "Vary", "Set-Cookie", "Content-Encoding",
            "Expires", "Accept-Ranges", "Pragma", "Retry-After", "Strict-Transport-Security", "X-Request-Id",
            "X-Content-Type-Options", "X-Frame-Options", "Access-Control-Allow-Origin", "Content-Language",
            "Content-Disposition", "Idempotency-Key", "Link", "Age", "Via", "WWW-Authenticate",
            "X-Powered-By", "Referrer-Policy", "Content-Security-Policy", "Cross-Origin-Resource-Policy");

    private ResponseHeaderNames() {
    }

    /** The shared name for these bytes, or null when they are not a known spelling. */
    static AsciiString known(byte[] bytes, int start, int length) {
        if (length <= 0 || length > LONGEST) {
            return null;
        }
        for (AsciiString name : BY_LENGTH[length]) {
            if (sameBytes(name, bytes, start, length)) {
                return name;
            }
        }
        return null;
    }

    private static boolean sameBytes(AsciiString name, byte[] bytes, int start, int length) {
        byte[] a = name.array();
        int offset = name.arrayOffset();
        for (int i = length - 1; i >= 0; i--) { // from the end: "Content-Type" and "Content-Length" part late
            if (a[offset + i] != bytes[start + i]) {
                return false;
            }
        }
        return true;
    }

    private static AsciiString[][] table(String... titleCase) {
        List<List<AsciiString>> byLength = new ArrayList<>();
        for (int i = 0; i <= LONGEST; i++) {
            byLength.add(new ArrayList<>());
        }
        for (String name : titleCase) {
            if (name.length() > LONGEST) {
                throw new IllegalArgumentException("header name longer than " + LONGEST + ": " + name);
            }
            byLength.get(name.length()).add(AsciiString.cached(name));
            byLength.get(name.length()).add(AsciiString.cached(name.toLowerCase(Locale.ROOT)));
        }
        AsciiString[][] table = new AsciiString[LONGEST + 1][];
        for (int i = 0; i <= LONGEST; i++) {
            table[i] = byLength.get(i).toArray(new AsciiString[0]);
        }
        return table;
    }
}
