package io.idemgate.gateway.upstream;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;

/**
 * An {@link UpstreamConnection} over an {@link EmbeddedChannel}, for driving an exchange without sockets:
 * what the exchange sends is the channel's outbound, what the test writes inbound is the upstream's answer.
 */
public final class EmbeddedUpstream {

    private EmbeddedUpstream() {
    }

    public static UpstreamConnection over(EmbeddedChannel channel) {
        UpstreamResponseReceiver receiver = new UpstreamResponseReceiver();
        channel.pipeline().addLast(receiver);
        LoopPool pool = new LoopPool(channel.eventLoop(), new Bootstrap(),
                InetSocketAddress.createUnresolved("upstream.test", 80), "upstream.test:80", 1, 0, 1_000);
        return new UpstreamConnection(channel, receiver, pool, "upstream.test:80");
    }
}
