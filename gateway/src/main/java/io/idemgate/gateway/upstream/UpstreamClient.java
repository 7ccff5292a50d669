package io.idemgate.gateway.upstream;

import io.idemgate.gateway.config.RouteConfig;
import io.idemgate.gateway.server.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Builds the connection pools to every route's upstreams. One per route table: a reload builds a new
 * one and closes the old one's idle connections.
 */
public final class UpstreamClient {

    /** Handler names of an upstream connection's pipeline, in order. */
    static final String IDLE = "idle";
    static final String CODEC = "codec";
    static final String RECEIVER = "receiver";

    private static final int MAX_RESPONSE_HEADER_SIZE = 64 * 1024;
    private static final int MAX_RESPONSE_LINE = 8 * 1024;
    private static final int MAX_CHUNK = 64 * 1024;

    private final Map<String, UpstreamGroup> groups = new HashMap<>();

    public UpstreamClient(List<RouteConfig> routes, Transport transport, int eventLoops) {
        for (RouteConfig route : routes) {
            Bootstrap template = bootstrap(route, transport);
            groups.put(route.name(), new UpstreamGroup(route.upstream(), template, eventLoops));
        }
    }

    /** @return the route's upstream group, or null for an unknown route name */
    public UpstreamGroup forRoute(String routeName) {
        return groups.get(routeName);
    }

    public void close() {
        groups.values().forEach(UpstreamGroup::close);
    }

    private static Bootstrap bootstrap(RouteConfig route, Transport transport) {
        long idleMillis = route.upstream().poolIdleTimeout().toMillis();
        HttpDecoderConfig decoder = new HttpDecoderConfig()
                .setMaxInitialLineLength(MAX_RESPONSE_LINE)
                .setMaxHeaderSize(MAX_RESPONSE_HEADER_SIZE)
                .setMaxChunkSize(MAX_CHUNK);
        return new Bootstrap()
                .channel(transport.socketChannelType())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, route.upstream().connectTimeout().toMillis()))
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast(IDLE, new IdleStateHandler(0, 0, idleMillis, TimeUnit.MILLISECONDS))
                                .addLast(CODEC, new HttpClientCodec(decoder, false, false))
                                .addLast(RECEIVER, new UpstreamResponseReceiver());
                    }
                });
    }
}
