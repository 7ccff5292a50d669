package io.idemgate.gateway.exchange;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import java.net.URI;
import java.net.URISyntaxException;

/**
 * The parts of a request's target that routing and logging need, with an absolute-form target
 * ({@code GET http://host/path}) reduced to the origin form that upstreams expect.
 *
 * @param uri origin-form target: path and query
 * @param path the path alone, still percent-encoded
 * @param host the Host header, or the authority of an absolute-form target; null when neither
 * @param absoluteForm whether the target was absolute-form, so {@code host} came from it
 */
record RequestLine(HttpMethod method, String methodName, String uri, String path, String host, boolean absoluteForm) {

    /** @return null when the target is neither origin-form nor a usable absolute URI */
    static RequestLine of(HttpRequest request) {
        String target = request.uri();
        String host = request.headers().get(HttpHeaderNames.HOST);
        if (target.isEmpty()) {
            return null;
        }
        boolean absolute = target.charAt(0) != '/';
        if (absolute) {
            if (!target.regionMatches(true, 0, "http://", 0, 7) && !target.regionMatches(true, 0, "https://", 0, 8)) {
                return null;
            }
            try {
                URI u = new URI(target);
                String rawPath = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
                target = u.getRawQuery() == null ? rawPath : rawPath + "?" + u.getRawQuery();
                host = u.getRawAuthority();
                if (host == null) {
                    return null;
                }
            } catch (URISyntaxException e) {
                return null;
            }
        }
        int q = target.indexOf('?');
        String path = q < 0 ? target : target.substring(0, q);
        return new RequestLine(request.method(), request.method().name(), target, path, host, absolute);
    }
}
