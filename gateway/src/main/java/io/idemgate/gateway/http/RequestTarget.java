package io.idemgate.gateway.http;

/**
 * A request target reduced to the one form that routing, fingerprinting and forwarding all use: the
 * origin form with its path normalised per RFC 3986 §6.2.2 (percent-encoded unreserved characters
 * decoded, the remaining escapes in upper case, dot-segments removed). Whatever two requests' raw
 * targets look like, the same normalised path is the same resource to every later step, so
 * {@code /pass/../v1/x}, {@code /v1/%78} and {@code /v1/x} cannot be routed one way and served another.
 *
 * <p>Refused (→ 400): an encoded {@code /} or {@code \}, a raw {@code \}, a control character raw or
 * encoded, a space, a non-ASCII byte, a fragment, dot-segments that climb above the root, userinfo in
 * an absolute-form target, and any form other than origin and absolute (authority, asterisk).
 * Stateless; any thread.
 *
 * @param uri normalised path plus the query as sent ({@code ?} included when there was one)
 * @param path normalised path, still percent-encoded where it must be
 * @param authority the authority of an absolute-form target, else null
 */
public record RequestTarget(String uri, String path, String authority) {

    /** Thrown with a one-line reason that is safe to send back to the client. */
    public static final class InvalidTargetException extends IllegalArgumentException {
        InvalidTargetException(String message) {
            super(message);
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this; // routine for hostile input: no stack to capture
        }
    }

    /** @throws InvalidTargetException when the target must be refused */
    public static RequestTarget parse(String raw) {
        if (raw.isEmpty()) {
            throw invalid("the request target is empty");
        }
        String authority = null;
        String rest = raw;
        if (raw.charAt(0) != '/') {
            int schemeEnd = schemeEnd(raw);
            if (schemeEnd < 0) {
                throw invalid("the request target must be a path or an absolute http(s) URI");
            }
            int authorityStart = schemeEnd + 3;
            int authorityEnd = authorityStart;
            while (authorityEnd < raw.length() && "/?#".indexOf(raw.charAt(authorityEnd)) < 0) {
                authorityEnd++;
            }
            authority = raw.substring(authorityStart, authorityEnd);
            if (authority.indexOf('@') >= 0) {
                throw invalid("userinfo is not allowed in the request target");
            }
            if (!HostSyntax.isValidAuthority(authority) || authority.isEmpty()) {
                throw invalid("the request target's authority is not a valid host");
            }
            rest = authorityEnd == raw.length() ? "/" : raw.substring(authorityEnd);
            if (rest.charAt(0) == '?') {
                rest = "/" + rest;
            }
        }
        int q = rest.indexOf('?');
        String rawPath = q < 0 ? rest : rest.substring(0, q);
        String query = q < 0 ? "" : rest.substring(q);
        checkQuery(query);
        String path = normalisePath(rawPath);
        return new RequestTarget(query.isEmpty() ? path : path + query, path, authority);
    }

    /** @return the index just past {@code http} or {@code https} when followed by {@code ://}, else -1 */
    private static int schemeEnd(String raw) {
        if (raw.regionMatches(true, 0, "http://", 0, 7)) {
            return 4;
        }
        if (raw.regionMatches(true, 0, "https://", 0, 8)) {
            return 5;
        }
        return -1;
    }

    private static void checkQuery(String query) {
        for (int i = 0; i < query.length(); i++) {
            char c = query.charAt(i);
            if (c <= 0x20 || c >= 0x7f || c == '#') {
                throw invalid(c == '#' ? "a fragment is not allowed in the request target"
                        : "the query contains a control, space or non-ASCII character");
            }
        }
    }

    /** RFC 3986 §6.2.2.1 (case), §6.2.2.2 (percent-encoding) and §5.2.4 (dot-segments), in one pass each. */
    static String normalisePath(String raw) {
        StringBuilder decoded = null; // allocated only when the path holds an escape
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                throw invalid("the path contains a control, space or non-ASCII character");
            }
            if (c == '\\') {
                throw invalid("the path contains a backslash");
            }
            if (c == '#') {
                throw invalid("a fragment is not allowed in the request target");
            }
            if (c != '%') {
                if (decoded != null) {
                    decoded.append(c);
                }
                continue;
            }
            if (decoded == null) {
                decoded = new StringBuilder(raw.length()).append(raw, 0, i);
            }
            int hi = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
            int lo = hi >= 0 ? Character.digit(raw.charAt(i + 2), 16) : -1;
            if (lo < 0) {
                throw invalid("the path contains a malformed percent-encoding");
            }
            char v = (char) (hi * 16 + lo);
            if (v == '/' || v == '\\') {
                throw invalid("the path contains an encoded slash or backslash");
            }
            if (v < 0x20 || v == 0x7f) {
                throw invalid("the path contains an encoded control character");
            }
            if (isUnreserved(v)) {
                decoded.append(v);
            } else {
                decoded.append('%').append(HEX[hi]).append(HEX[lo]);
            }
            i += 2;
        }
        String path = decoded == null ? raw : decoded.toString();
        return path.contains("/.") ? removeDotSegments(path) : path;
    }

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private static boolean isUnreserved(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '-' || c == '.' || c == '_' || c == '~';
    }

    /** Segments {@code .} vanish and {@code ..} drops its parent; a {@code ..} with no parent is refused. */
    private static String removeDotSegments(String path) {
        String[] segments = path.substring(1).split("/", -1);
        String[] out = new String[segments.length];
        int n = 0;
        boolean trailingSlash = false;
        for (String s : segments) {
            trailingSlash = false;
            if (s.equals(".")) {
                trailingSlash = true;
            } else if (s.equals("..")) {
                if (n == 0) {
                    throw invalid("the path climbs above the root");
                }
                n--;
                trailingSlash = true;
            } else {
                out[n++] = s;
            }
        }
        StringBuilder b = new StringBuilder(path.length());
        for (int i = 0; i < n; i++) {
            b.append('/').append(out[i]);
        }
        if (trailingSlash || b.length() == 0) {
            b.append('/');
        }
        return b.toString();
    }

    private static InvalidTargetException invalid(String why) {
        return new InvalidTargetException(why);
    }
}
