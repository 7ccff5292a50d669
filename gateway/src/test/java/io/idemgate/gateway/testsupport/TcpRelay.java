package io.idemgate.gateway.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A TCP relay on 127.0.0.1 in front of one target port, to cut chosen connections as a network would.
 * Connections are numbered in the order they were accepted; {@link #cut(int)} closes one of them (both
 * sides), {@link #refuseNew(boolean)} makes new connections close at once (a client's reconnects fail while
 * the connections it already has keep working). One thread per direction per connection; {@link #close()}
 * stops them all, bounded.
 */
public final class TcpRelay implements AutoCloseable {

    private final int targetPort;
    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "tcp-relay");
        thread.setDaemon(true);
        return thread;
    });
    private final List<Socket[]> connections = new ArrayList<>();
    private volatile boolean refuseNew;

    private TcpRelay(int targetPort, ServerSocket server) {
        this.targetPort = targetPort;
        this.server = server;
    }

    public static TcpRelay start(int targetPort) {
        try {
            ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            TcpRelay relay = new TcpRelay(targetPort, server);
            relay.threads.execute(relay::acceptLoop);
            return relay;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return server.getLocalPort();
    }

    public String redisUri() {
        return "redis://127.0.0.1:" + port();
    }

    /** Connections accepted and relayed so far (refused ones are not counted). */
    public synchronized int accepted() {
        return connections.size();
    }

    /** Closes the {@code index}th relayed connection, both sides. */
    public synchronized void cut(int index) {
        for (Socket socket : connections.get(index)) {
            closeQuietly(socket);
        }
    }

    /** Closes every relayed connection. */
    public synchronized void cutAll() {
        for (int i = 0; i < connections.size(); i++) {
            cut(i);
        }
    }

    public void refuseNew(boolean refuse) {
        this.refuseNew = refuse;
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException closed) {
                return;
            }
            if (refuseNew) {
                closeQuietly(client);
                continue;
            }
            try {
                Socket target = new Socket();
                target.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 2_000);
                client.setTcpNoDelay(true);
                target.setTcpNoDelay(true);
                synchronized (this) {
                    connections.add(new Socket[] {client, target});
                }
                threads.execute(() -> pipe(client, target));
                threads.execute(() -> pipe(target, client));
            } catch (IOException e) {
                closeQuietly(client);
            }
        }
    }

    private static void pipe(Socket from, Socket to) {
        byte[] buffer = new byte[16 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException ignored) {
            // cut or closed: the finally below closes both sides
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() throws InterruptedException {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        cutAll();
        threads.shutdownNow();
        threads.awaitTermination(5, TimeUnit.SECONDS);
    }
}
