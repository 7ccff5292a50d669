package io.idemgate.loadtest.fault;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * One client connection through the proxy and its connection to the target. The target is dialled when the client
 * arrives, or, under a blackhole, only once it is lifted (the client's connect succeeds, nothing answers). Both
 * channels live on the client channel's event loop, so nothing here is shared between threads.
 */
final class Connection {

    private final FaultProxy proxy;
    private final Pipe up;
    private final Pipe down;
    private Channel client;
    private Channel target;
    private boolean dialled;

    Connection(FaultProxy proxy) {
        this.proxy = proxy;
        this.up = new Pipe(proxy, this, this::clientArrived);
        this.down = new Pipe(proxy, this, null);
        up.peer(down);
        down.peer(up);
    }

    Pipe clientSide() {
        return up;
    }

    private void clientArrived() {
        proxy.register(this);
        dialIfAllowed();
    }

    void bindClient(Channel ch) {
        this.client = ch;
        ch.closeFuture().addListener(f -> proxy.unregister(this));
    }

    Channel client() {
        return client;
    }

    private void dialIfAllowed() {
        if (dialled || faults().blackhole() || !client.isActive()) {
            return;
        }
        dialled = true;
        Bootstrap b = proxy.targetBootstrap(client.eventLoop(), down);
        b.connect(proxy.targetHost(), proxy.targetPort()).addListener(f -> {
            if (!f.isSuccess()) {
                client.close(); // the target is down: the client sees its connection closed
                return;
            }
            target = ((ChannelFuture) f).channel();
            up.connectTo(target);
            down.connectTo(client);
        });
    }

    /** The proxy's faults if they apply to this client (by its address), else none. */
    Faults faults() {
        Faults f = proxy.faults();
        return inScope(f) ? f : Faults.NONE;
    }

    boolean inScope(Faults f) {
        if (f.from() == null) {
            return true;
        }
        SocketAddress remote = client == null ? null : client.remoteAddress();
        return remote instanceof InetSocketAddress a && a.getAddress().getHostAddress().equals(f.from());
    }

    /** Faults changed; runs on the connection's event loop. */
    void resume() {
        dialIfAllowed();
        up.resume();
        down.resume();
    }

    /** Closes both ends with a TCP reset (SO_LINGER 0); runs on the connection's event loop. */
    void reset() {
        if (!inScope(proxy.faults())) {
            return;
        }
        for (Channel ch : new Channel[] {client, target}) {
            if (ch != null && ch.isActive()) {
                ch.config().setOption(ChannelOption.SO_LINGER, 0);
                ch.close();
            }
        }
    }
}
