package io.idemgate.gateway.http;

import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;

/**
 * Trailer fields for the decoders. Netty gives every decoded last body part of a fixed-length message its
 * own trailer headers, sized for 16 fields, though such a part can have none and a chunked one rarely has
 * any: these are Netty's trailer headers (the same name and value validation, which refuses framing
 * fields in trailers) sized for the usual none, which they still take any number of.
 */
public final class TrailerHeaders {

    private static final DefaultHttpHeadersFactory NETTY = DefaultHttpHeadersFactory.trailersFactory();

    public static final HttpHeadersFactory FACTORY = new HttpHeadersFactory() {
        @Override
        public HttpHeaders newHeaders() {
            return NETTY.newEmptyHeaders();
        }

        @Override
        public HttpHeaders newEmptyHeaders() {
            return NETTY.newEmptyHeaders();
        }
    };

    private TrailerHeaders() {
    }
}
