package io.idemgate.loadtest.load;

import io.idemgate.loadtest.upstream.NettyTransport;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import java.net.URI;
import java.util.List;

/**
 * Where the load goes: {@code --target} then every {@code --also-target}, connection i to target i mod n.
 * Per target, computed once, the bootstrap that connects to it and the request URI and Host header every
 * request to it sends.
 */
final class Targets {

    /** Responses larger than this fail the request instead of growing the aggregator without bound. */
    private static final int MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

    private final List<URI> targets;
    private final String[] requestUris;
    private final String[] hostHeaders;
    private final String keyHeader;
    private Bootstrap[] bootstraps;
    private int next;

    Targets(LoadOptions options) {
        this.targets = options.targets();
        this.requestUris = targets.stream().map(LoadOptions::requestUri).toArray(String[]::new);
        this.hostHeaders = targets.stream().map(t -> t.getHost() + ":" + LoadOptions.port(t)).toArray(String[]::new);
        this.keyHeader = options.keyHeader();
    }

    /** Binds every target's bootstrap to {@code loop}; each connection's answers go to {@code generator}. */
    void bind(EventLoop loop, NettyTransport transport, LoadGenerator generator) {
        bootstraps = new Bootstrap[targets.size()];
        for (int i = 0; i < targets.size(); i++) {
            int target = i;
            bootstraps[i] = new Bootstrap().group(loop).channel(transport.socketChannelType())
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5_000)
                    .handler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline()
                                    .addLast("http-codec", new HttpClientCodec())
                                    .addLast("aggregator", new HttpObjectAggregator(MAX_RESPONSE_BYTES))
                                    .addLast("connection", new ClientConnection(generator, target));
                        }
                    });
        }
    }

    /** The target the next new connection goes to, round robin. */
    int nextTarget() {
        return next++ % targets.size();
    }

    ChannelFuture connect(int target) {
        URI t = targets.get(target);
        return bootstraps[target].connect(t.getHost(), LoadOptions.port(t));
    }

    /** A POST of {@code key}'s body to {@code target}. */
    FullHttpRequest request(int target, KeyBook.KeyState key) {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, requestUris[target],
                Unpooled.wrappedBuffer(key.body));
        request.headers()
                .set(HttpHeaderNames.HOST, hostHeaders[target])
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .set(HttpHeaderNames.CONTENT_LENGTH, key.body.length)
                .set(keyHeader, key.key);
        return request;
    }
}
