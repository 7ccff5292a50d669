package io.idemgate.gateway.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;

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
        String why = framingNamedInConnection(request.headers());
        return why != null ? why : host(request);
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
