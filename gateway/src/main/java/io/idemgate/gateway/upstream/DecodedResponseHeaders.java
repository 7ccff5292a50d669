package io.idemgate.gateway.upstream;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;

/**
 * The header table of each decoded upstream response: Netty's, with its name and value validation, sized
 * for 8 buckets rather than 16, since a response head has a handful of fields and the table is made per
 * response (it goes on to the client, with {@code Via} added). One per response; the event loop.
 */
public final class DecodedResponseHeaders extends DefaultHttpHeaders {

    private static final DefaultHttpHeadersFactory VALIDATING = DefaultHttpHeadersFactory.headersFactory();

    /** Public for the micro-benchmarks, which decode as the gateway does. */
    public static final HttpHeadersFactory FACTORY = new HttpHeadersFactory() {
        @Override
        public HttpHeaders newHeaders() {
            return new DecodedResponseHeaders();
        }

        @Override
        public HttpHeaders newEmptyHeaders() {
            return new DecodedResponseHeaders();
        }
    };

    private DecodedResponseHeaders() {
        super(VALIDATING.getNameValidator(), VALIDATING.getValueValidator(), 8);
    }
}
