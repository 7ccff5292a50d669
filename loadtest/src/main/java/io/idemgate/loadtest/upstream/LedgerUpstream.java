package io.idemgate.loadtest.upstream;

import io.idemgate.loadtest.history.Execution;
import io.idemgate.loadtest.history.HistoryWriter;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The demo / ledger upstream: a Netty HTTP/1.1 server that behaves like a real non-idempotent API
 * and records every execution in a {@link Ledger}. {@link #start} binds; {@link #close} stops it.
 */
public final class LedgerUpstream implements AutoCloseable {

    private final UpstreamOptions options;
    private final Ledger ledger;
    private final NettyTransport transport;
    private final EventLoopGroup group;
    private final Channel serverChannel;
    private final HistoryWriter history;

    private LedgerUpstream(UpstreamOptions options) {
        this.options = options;
        this.ledger = new Ledger(options.maxKeys());
        this.transport = NettyTransport.detect();
        this.group = transport.newEventLoopGroup(options.threads(), "ledger-upstream");
        this.history = options.history() == null ? null : new HistoryWriter(Path.of(options.history()), Execution.HEADER);
        LedgerApi api = new LedgerApi(ledger, options.keyHeader(), options.fenceHeader(), options.rejectStaleFences(), history);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannelType())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.AUTO_READ, false) // LedgerHandler reads only when idle
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline()
                                .addLast("http-codec", new HttpServerCodec())
                                .addLast("expect-continue", new HttpServerExpectContinueHandler())
                                .addLast("ledger", new LedgerHandler(options, ledger, api));
                    }
                });
        try {
            this.serverChannel = bootstrap.bind(options.host(), options.port()).syncUninterruptibly().channel();
        } catch (Exception e) { // a failed bind arrives as a (sneakily thrown) checked exception
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            if (history != null) {
                history.close();
            }
            throw e;
        }
    }

    /** Binds and starts serving; use port 0 in options for any free port. */
    public static LedgerUpstream start(UpstreamOptions options) {
        return new LedgerUpstream(options);
    }

    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    public String url() {
        return "http://" + options.host() + ":" + port();
    }

    public Ledger ledger() {
        return ledger;
    }

    public UpstreamOptions options() {
        return options;
    }

    public String transportName() {
        return transport.name();
    }

    /** Blocks until the server is closed (by {@link #close} from another thread, e.g. a shutdown hook). */
    public void awaitClose() throws InterruptedException {
        serverChannel.closeFuture().await();
    }

    @Override
    public void close() {
        serverChannel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
        if (history != null) {
            history.close();
        }
    }
}
