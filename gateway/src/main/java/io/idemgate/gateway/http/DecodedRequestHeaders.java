package io.idemgate.gateway.http;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import java.util.Iterator;
import java.util.List;

/**
 * Request headers that remember how many {@code Content-Length} field lines the decoder added. The
 * decoder collapses repeated Content-Length fields of an HTTP/1.0 request into one (keeping the first),
 * so by the time a rule sees the headers the repetition is gone; a front proxy that used the last one
 * would frame the body differently. One instance per request; the decoder's thread.
 */
public final class DecodedRequestHeaders extends DefaultHttpHeaders {

    private static final DefaultHttpHeadersFactory VALIDATING = DefaultHttpHeadersFactory.headersFactory();

    /** Creates these headers for every decoded request head (trailers keep Netty's own). */
    public static final HttpHeadersFactory FACTORY = new HttpHeadersFactory() {
        @Override
        public HttpHeaders newHeaders() {
            return new DecodedRequestHeaders();
        }

        @Override
        public HttpHeaders newEmptyHeaders() {
            return new DecodedRequestHeaders();
        }
    };

    private int contentLengthFields;

    private DecodedRequestHeaders() {
        // 8 buckets, not 16: a request head has a handful of fields, and the table is made per request.
        super(VALIDATING.getNameValidator(), VALIDATING.getValueValidator(), 8);
    }

    /** How many Content-Length field lines were added (by the decoder: how many the client sent). */
    public int contentLengthFields() {
        return contentLengthFields;
    }

    /**
     * As {@link DefaultHttpHeaders#getAll}, read-only: the decoder asks every request head for its
     * Content-Length fields and the rules for its Host, and there is nearly always one field or none, which
     * need neither the general case's list nor its view.
     */
    @Override
    public List<String> getAll(CharSequence name) {
        Iterator<? extends CharSequence> values = valueCharSequenceIterator(name);
        if (!values.hasNext()) {
            return List.of();
        }
        CharSequence first = values.next();
        return values.hasNext() ? List.copyOf(super.getAll(name)) : List.of(first.toString());
    }

    @Override
    public HttpHeaders add(String name, Object value) {
        count(name);
        return super.add(name, value);
    }

    @Override
    public HttpHeaders add(CharSequence name, Object value) {
        count(name);
        return super.add(name, value);
    }

    private void count(CharSequence name) {
        if (HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(name)) {
            contentLengthFields++;
        }
    }
}
