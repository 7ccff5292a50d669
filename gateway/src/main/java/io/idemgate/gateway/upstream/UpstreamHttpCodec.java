package io.idemgate.gateway.upstream;

import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.HttpDecoderConfig;

/**
 * An upstream connection's HTTP/1.1: the gateway's own request writer ({@link UpstreamRequestEncoder})
 * and Netty's response decoder told each request's method ({@link UpstreamResponseDecoder}), in place of
 * Netty's {@code HttpClientCodec}, whose encoder would re-encode a request head the gateway writes itself.
 */
public final class UpstreamHttpCodec extends CombinedChannelDuplexHandler<UpstreamResponseDecoder, UpstreamRequestEncoder> {

    /** Public for the micro-benchmarks, which run it as the gateway does. */
    public UpstreamHttpCodec(HttpDecoderConfig config) {
        UpstreamResponseDecoder decoder = new UpstreamResponseDecoder(config);
        init(decoder, new UpstreamRequestEncoder(decoder));
    }
}
