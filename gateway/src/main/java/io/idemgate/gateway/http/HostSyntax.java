package io.idemgate.gateway.http;

/**
 * The syntax of a {@code Host} value or an absolute target's authority (RFC 9110 §7.2, RFC 3986 §3.2):
 * {@code reg-name / IP-literal / IPv4} with an optional port, and nothing else (no userinfo, no path,
 * no whitespace). Routing reads the host, and the upstream receives it, so both must see the same one.
 */
final class HostSyntax {

    private HostSyntax() {
    }

    /** Whether {@code value} is {@code host [":" port]}; the empty value is valid (RFC 9112 §3.2). */
    static boolean isValidAuthority(String value) {
        int end = value.length();
        int i = 0;
        if (end > 0 && value.charAt(0) == '[') {
            int close = value.indexOf(']');
            if (close < 0 || !isIpLiteral(value, 1, close)) {
                return false;
            }
            i = close + 1;
        } else {
            while (i < end && value.charAt(i) != ':') {
                if (!isRegNameChar(value.charAt(i))) {
                    return false;
                }
                i++;
            }
        }
        if (i == end) {
            return true;
        }
        if (value.charAt(i) != ':' || end - i - 1 > 5) {
            return false;
        }
        for (int p = i + 1; p < end; p++) {
            char c = value.charAt(p);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private static boolean isIpLiteral(String s, int from, int to) {
        if (from == to) {
            return false;
        }
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            boolean ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
                    || c == ':' || c == '.';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static boolean isRegNameChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || "-._~%!$&'()*+,;=".indexOf(c) >= 0;
    }
}
