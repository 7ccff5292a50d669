package io.idemgate.gateway.exchange;

import io.netty.handler.codec.http.HttpContent;

/** What the {@link ClientRequestReceiver} tells the exchange that currently owns the client connection. */
interface Exchange {

    /** A part of the request body; the exchange owns it. */
    void onRequestContent(HttpContent content);

    /** The end of a client read burst: where an exchange that forwards the request flushes. */
    default void onClientReadComplete() {
    }

    /** The client can take more (or no more) of the response: only an exchange that streams one cares. */
    default void onClientWritabilityChanged(boolean writable) {
    }

    void onClientClosed();

    /**
     * The request body received nothing for {@code server.request-body-timeout}: the exchange ends with
     * 408 (or, once a response has begun, by closing), and the connection closes after it.
     */
    void onRequestBodyTimeout();
}
