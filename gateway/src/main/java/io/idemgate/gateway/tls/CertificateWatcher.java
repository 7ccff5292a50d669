package io.idemgate.gateway.tls;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads listeners' certificates when their files change, on one daemon thread {@value #THREAD_NAME}.
 *
 * <p>Polled, not watched: certificates are rotated by tools (cert-manager, certbot) that swap symlinks or
 * rename files into place, and a poll of time, size and link target sees every way. A change is loaded
 * once the files have been still for one interval, so a certificate written before its key is not
 * loaded half-done; a file that still fails keeps the old certificate and is logged with the reason.
 */
public final class CertificateWatcher implements AutoCloseable {

    static final String THREAD_NAME = "idemgate-tls-watch";
    private static final Logger log = LoggerFactory.getLogger(CertificateWatcher.class);

    /** Called with each reload's result: true applied, false kept the old certificate. */
    public interface Listener {
        void reloaded(boolean success);
    }

    private final List<ServerTls> listeners;
    private final Listener listener;
    private final ScheduledExecutorService thread;
    private final Object[] pending;

    public CertificateWatcher(List<ServerTls> listeners, Duration interval, Listener listener) {
        this.listeners = List.copyOf(listeners);
        this.listener = listener;
        this.pending = new Object[this.listeners.size()];
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, THREAD_NAME);
            t.setDaemon(true);
            return t;
        });
        long ms = interval.toMillis();
        thread.scheduleWithFixedDelay(this::check, ms, ms, TimeUnit.MILLISECONDS);
    }

    private void check() {
        for (int i = 0; i < listeners.size(); i++) {
            ServerTls tls = listeners.get(i);
            Object now = tls.stamp();
            if (!tls.changedSince(now)) {
                pending[i] = null;
                continue;
            }
            if (!now.equals(pending[i])) {
                pending[i] = now; // still changing: wait for one quiet interval
                continue;
            }
            pending[i] = null;
            reload(tls, now);
        }
    }

    private void reload(ServerTls tls, Object stamp) {
        try {
            tls.reload(stamp);
            listener.reloaded(true);
            log.info("{}: certificate reloaded; new handshakes use {}", tls.files().keyPath(), tls.subject());
        } catch (TlsFileException | RuntimeException e) {
            listener.reloaded(false);
            log.warn("certificate reload failed, the old certificate stays in use: {}", e.getMessage());
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
