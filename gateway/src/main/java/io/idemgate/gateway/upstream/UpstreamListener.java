package io.idemgate.gateway.upstream;

import io.netty.handler.codec.http.HttpObject;

/**
 * What an exchange hears from the upstream connection it holds. All calls arrive on that connection's
 * event loop, which is also the client channel's loop.
 */
public interface UpstreamListener {

    /** A decoded response part; the listener owns it and must release or pass it on. */
    void onUpstreamMessage(HttpObject message);

    /** The end of one read burst: the moment to flush what was written to the client. */
    void onUpstreamReadComplete();

    void onUpstreamWritabilityChanged(boolean writable);

    /** The deadline set with {@link UpstreamConnection#deadline} passed with no news from the upstream. */
    void onUpstreamDeadline();

    /** The connection closed; whatever is incomplete is now truncated. */
    void onUpstreamClosed();
}
