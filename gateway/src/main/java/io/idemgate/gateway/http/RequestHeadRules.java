package io.idemgate.gateway.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessageDecoderResult;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Rules a request head must pass before anything routes or forwards it, beyond what the HTTP decoder
 * already refuses. Each rule closes a way to make the gateway and the upstream disagree on where one
 * request ends (request smuggling, RFC 9112 §11.2). Stateless; any thread.
 */
public final class RequestHeadRules {

    private RequestHeadRules() {
    }

    /** @return null if the head may be served, else why it may not (one line, safe to send back) */
    public static String violation(HttpRequest request) {
        String why = version(request);
        if (why == null) {
            why = framingFields(request.headers());
        }
        if (why == null) {
            why = framingNamedInConnection(request.headers());
        }
        return why != null ? why : host(request);
    }

    /**
     * Only HTTP/1.1 and HTTP/1.0, spelled exactly so (RFC 9112 §2.3: the name is case-sensitive): the
     * decoder reads {@code HTTP/2.0}, {@code HTTP/0.9} or {@code http/1.1} as some version and would
     * forward it as HTTP/1.1, where another parser refuses it or frames it by other rules.
     */
    static String version(HttpRequest request) {
        HttpVersion v = request.protocolVersion();
        if (v != HttpVersion.HTTP_1_1 && v != HttpVersion.HTTP_1_0) {
            return "Only HTTP/1.1 and HTTP/1.0 are served, not " + v.text() + ".";
        }
        // The decoder splits the request line on any run of whitespace; RFC 9112 §3 allows one SP each.
        if (request.decoderResult() instanceof HttpMessageDecoderResult r && r.initialLineLength()
                != request.method().name().length() + request.uri().length() + v.text().length() + 2) {
            return "The request line must be method, target and version separated by single spaces.";
        }
        return null;
    }

    /**
     * The body's framing has one reading only:
     * <ul>
     *   <li>Transfer-Encoding, if present, is exactly {@code chunked}: the gateway does not decode other
     *       codings, and a list such as {@code gzip, chunked} is framed differently by parsers that look
     *       only at the last coding, the first, or any (RFC 9112 §6.1 lets a server refuse them);</li>
     *   <li>at most one Content-Length field, also in HTTP/1.0, where the decoder would silently keep the first;</li>
     *   <li>no field whose name is a framing field's with {@code _} for {@code -} ({@code Content_Length}):
     *       CGI-style servers fold the two into one variable and frame the body by it.</li>
     * </ul>
     */
    static String framingFields(HttpHeaders headers) {
        if (headers.contains(HttpHeaderNames.TRANSFER_ENCODING)) {
            List<String> codings = headers.getAll(HttpHeaderNames.TRANSFER_ENCODING);
            int n = 0;
            boolean chunkedOnly = true;
            for (String field : codings) {
                for (String coding : field.split(",", -1)) {
                    String c = coding.trim();
                    n++;
                    chunkedOnly &= HttpHeaderValues.CHUNKED.contentEqualsIgnoreCase(c);
                }
            }
            if (n != 1 || !chunkedOnly) {
                return "Transfer-Encoding must be exactly chunked; other transfer codings are not accepted.";
            }
        }
        if (headers instanceof DecodedRequestHeaders decoded && decoded.contentLengthFields() > 1) {
            return "A request must not carry more than one Content-Length field.";
        }
        // Names as the decoder made them: iterating as strings would copy every name and wrap every field.
        Iterator<Map.Entry<CharSequence, CharSequence>> fields = headers.iteratorCharSequence();
        while (fields.hasNext()) {
            CharSequence name = fields.next().getKey();
            if (hasUnderscore(name)) {
                String dashed = name.toString().replace('_', '-');
                if (HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(dashed)
                        || HttpHeaderNames.TRANSFER_ENCODING.contentEqualsIgnoreCase(dashed)
                        || HttpHeaderNames.HOST.contentEqualsIgnoreCase(dashed)) {
                    return "The field name " + name + " reads as " + dashed + " to some servers and is not accepted.";
                }
            }
        }
        return null;
    }

    private static boolean hasUnderscore(CharSequence name) {
        for (int i = 0; i < name.length(); i++) {
            if (name.charAt(i) == '_') {
                return true;
            }
        }
        return false;
    }

    /**
     * RFC 9112 §3.2: an HTTP/1.1 request has exactly one Host; two could route by one and reach the
     * upstream with the other. Its value is a host and an optional port, nothing more.
     */
    static String host(HttpRequest request) {
        List<String> hosts = request.headers().getAll(HttpHeaderNames.HOST);
        boolean http11 = request.protocolVersion().equals(HttpVersion.HTTP_1_1);
        if (hosts.size() > 1) {
            return "A request must not carry more than one Host header.";
        }
        if (hosts.isEmpty()) {
            return http11 ? "An HTTP/1.1 request must carry a Host header." : null;
        }
        return HostSyntax.isValidAuthority(hosts.get(0)) ? null : "The Host header is not a valid host[:port].";
    }

    /**
     * A {@code Connection} option that names a framing field would make a proxy strip the very header
     * that delimited the body it already read by it; the body would then reach the upstream unframed and
     * be parsed there as another request.
     */
    static String framingNamedInConnection(HttpHeaders headers) {
        List<String> options = HopByHopHeaders.connectionOptions(headers);
        for (int i = 0; i < options.size(); i++) {
            String option = options.get(i);
            if (HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(option)
                    || HttpHeaderNames.TRANSFER_ENCODING.contentEqualsIgnoreCase(option)
                    || HttpHeaderNames.HOST.contentEqualsIgnoreCase(option)) {
                return "Connection must not name the framing field " + option.toLowerCase(java.util.Locale.ROOT) + ".";
            }
        }
        return null;
    }
}
