package io.idemgate.loadtest.upstream;

import io.netty.handler.codec.http.HttpResponseStatus;

/** What to answer: status, an optional {@code Location}, and a JSON body. */
record Reply(HttpResponseStatus status, String location, String json) {

    static Reply of(HttpResponseStatus status, String json) {
        return new Reply(status, null, json);
    }
}
