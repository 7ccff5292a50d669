package io.idemgate.gateway.reload;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;
import static java.nio.file.StandardWatchEventKinds.OVERFLOW;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls {@code onChange} when the config file changes, on one daemon thread {@value #THREAD_NAME}.
 *
 * <p>The directory is watched, not the file: editors and deploy tools replace a file by writing a temporary one
 * and renaming it over the original, which a watch on the file itself would lose. Kubernetes ConfigMaps swap a
 * symlink instead, so any event in the directory also counts when the file's target, size or time changed.
 * Events are debounced: {@code onChange} runs once the file has been quiet for {@code debounce}, so a save in
 * several writes is one reload, and never a half-written file.
 */
final class ConfigFileWatcher implements AutoCloseable {

    static final String THREAD_NAME = "idemgate-config-watch";
    private static final Logger log = LoggerFactory.getLogger(ConfigFileWatcher.class);

    private final Path file;
    private final Path fileName;
    private final Duration debounce;
    private final Runnable onChange;
    private final WatchService watchService;
    private final Thread thread;
    private Object lastStamp; // touched by the watch thread only

    ConfigFileWatcher(Path file, Duration debounce, Runnable onChange) throws IOException {
        Path absolute = file.toAbsolutePath().normalize();
        this.file = absolute;
        this.fileName = absolute.getFileName();
        this.debounce = debounce;
        this.onChange = onChange;
        this.watchService = absolute.getFileSystem().newWatchService();
        try {
            absolute.getParent().register(watchService, ENTRY_CREATE, ENTRY_MODIFY, ENTRY_DELETE);
        } catch (IOException | RuntimeException e) {
            watchService.close();
            throw e;
        }
        this.lastStamp = stamp();
        this.thread = new Thread(this::run, THREAD_NAME);
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    private void run() {
        try {
            while (true) {
                if (!relevant(watchService.take())) {
                    continue;
                }
                // Quiet period: every further event for the file starts it again.
                WatchKey next;
                while ((next = watchService.poll(debounce.toMillis(), TimeUnit.MILLISECONDS)) != null) {
                    relevant(next);
                }
                lastStamp = stamp();
                onChange.run();
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // close(): the normal way out
        } catch (RuntimeException e) {
            log.error("config file watch stopped; reload with SIGHUP or POST /admin/reload", e);
        }
    }

    /** Drains the key's events; true if one of them concerns the config file. */
    private boolean relevant(WatchKey key) {
        boolean relevant = false;
        for (WatchEvent<?> event : key.pollEvents()) {
            relevant |= event.kind() == OVERFLOW || fileName.equals(event.context());
        }
        if (!key.reset()) {
            log.warn("config directory {} is no longer watchable; file changes are not picked up any more",
                    file.getParent());
        }
        return relevant || !Objects.equals(lastStamp, stamp());
    }

    /** What identifies the file's content cheaply, through symlinks; null while it is missing. */
    private Object stamp() {
        try {
            return java.util.List.of(file.toRealPath(), Files.size(file), Files.getLastModifiedTime(file));
        } catch (IOException e) {
            return null;
        }
    }

    /** Stops the thread and waits for it (bounded), so no reload starts after the gateway stopped. */
    @Override
    public void close() {
        try {
            watchService.close();
        } catch (IOException e) {
            log.debug("closing the config watch service failed", e);
        }
        thread.interrupt();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
