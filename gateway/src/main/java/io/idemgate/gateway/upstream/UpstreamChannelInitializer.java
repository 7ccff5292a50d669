package io.idemgate.gateway.upstream;

import io.idemgate.gateway.transport.PipelineNames;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Builds each upstream connection's pipeline; see {@link PipelineNames.Upstream} for the order. */
final class UpstreamChannelInitializer extends ChannelInitializer<SocketChannel> {

    private static final int MAX_RESPONSE_HEADER_SIZE = 64 * 1024;
    private static final int MAX_RESPONSE_LINE = 8 * 1024;
    private static final int MAX_CHUNK = 64 * 1024;

    private final long idleMillis;
    private final HttpDecoderConfig decoder = new HttpDecoderConfig()
            .setMaxInitialLineLength(MAX_RESPONSE_LINE)
            .setMaxHeaderSize(MAX_RESPONSE_HEADER_SIZE)
            .setMaxChunkSize(MAX_CHUNK);

    /** @param poolIdleTimeout how long a pooled connection may sit unused before it closes */
    UpstreamChannelInitializer(Duration poolIdleTimeout) {
        this.idleMillis = poolIdleTimeout.toMillis();
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ch.pipeline()
                .addLast(PipelineNames.Upstream.IDLE, new IdleStateHandler(0, 0, idleMillis, TimeUnit.MILLISECONDS))
                .addLast(PipelineNames.Upstream.CODEC, new HttpClientCodec(decoder, false, false))
                .addLast(PipelineNames.Upstream.RECEIVER, new UpstreamResponseReceiver());
    }
}
