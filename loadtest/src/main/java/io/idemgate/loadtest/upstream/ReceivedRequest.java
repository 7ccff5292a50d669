package io.idemgate.loadtest.upstream;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;

/** A request the demo upstream has read in full; the body is only counted, never kept. */
record ReceivedRequest(HttpMethod method, String uri, HttpVersion version, HttpHeaders headers, long bodyBytes, boolean keepAlive) {

    String path() {
        int q = uri.indexOf('?');
        return q < 0 ? uri : uri.substring(0, q);
    }
}
