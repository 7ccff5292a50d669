package io.idemgate.gateway.exchange;

import io.idemgate.gateway.http.RequestTarget;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;

/**
 * The parts of a request's target that routing, fingerprinting, forwarding and logging need, all from
 * the one normalised target ({@link RequestTarget}), with an absolute-form target
 * ({@code GET http://host/path}) reduced to the origin form that upstreams expect.
 *
 * @param uri normalised origin-form target: path and query
 * @param path the normalised path alone, still percent-encoded where it must be
 * @param host the Host header, or the authority of an absolute-form target; null when neither
 * @param absoluteForm whether the target was absolute-form, so {@code host} came from it
 */
record RequestLine(HttpMethod method, String methodName, String uri, String path, String host, boolean absoluteForm) {

    /** @throws RequestTarget.InvalidTargetException when the target must be refused */
    static RequestLine of(HttpRequest request) {
        RequestTarget target = RequestTarget.parse(request.uri());
        boolean absolute = target.authority() != null;
        String host = absolute ? target.authority() : request.headers().get(HttpHeaderNames.HOST);
        return new RequestLine(request.method(), request.method().name(), target.uri(), target.path(), host, absolute);
    }
}
