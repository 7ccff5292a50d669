package io.idemgate.gateway.reload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real files in a temporary directory; the debounce is short to keep the test quick. */
class ConfigFileWatcherTest {

    private static final Duration DEBOUNCE = Duration.ofMillis(200);

    @TempDir
    Path dir;

    @Test
    void aFileRenamedOverTheConfigIsOneChange() throws Exception {
        Path config = Files.writeString(dir.resolve("gateway.conf"), "a = 1\n");
        AtomicInteger changes = new AtomicInteger();
        try (ConfigFileWatcher watcher = new ConfigFileWatcher(config, DEBOUNCE, changes::incrementAndGet)) {
            watcher.start();
            Path tmp = Files.writeString(dir.resolve("gateway.conf.tmp"), "a = 2\n");
            Files.move(tmp, config, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);

            await().atMost(Duration.ofSeconds(10)).until(() -> changes.get() == 1);
            Thread.sleep(DEBOUNCE.multipliedBy(3).toMillis());
            assertThat(changes).hasValue(1);
        }
    }

    @Test
    void severalQuickWritesAreDebouncedIntoOneChange() throws Exception {
        Path config = Files.writeString(dir.resolve("gateway.conf"), "a = 1\n");
        AtomicInteger changes = new AtomicInteger();
        try (ConfigFileWatcher watcher = new ConfigFileWatcher(config, DEBOUNCE, changes::incrementAndGet)) {
            watcher.start();
            for (int i = 0; i < 5; i++) {
                Files.writeString(config, "a = " + i + "\n");
                Thread.sleep(DEBOUNCE.toMillis() / 4);
            }

            await().atMost(Duration.ofSeconds(10)).until(() -> changes.get() >= 1);
            Thread.sleep(DEBOUNCE.multipliedBy(3).toMillis());
            assertThat(changes).hasValue(1);
        }
    }

    @Test
    void otherFilesInTheDirectoryAreIgnored() throws Exception {
        Path config = Files.writeString(dir.resolve("gateway.conf"), "a = 1\n");
        AtomicInteger changes = new AtomicInteger();
        try (ConfigFileWatcher watcher = new ConfigFileWatcher(config, DEBOUNCE, changes::incrementAndGet)) {
            watcher.start();
            Files.writeString(dir.resolve("other.conf"), "b = 1\n");
            Files.writeString(dir.resolve("other.conf"), "b = 2\n");

            Thread.sleep(DEBOUNCE.multipliedBy(4).toMillis());
            assertThat(changes).hasValue(0);
        }
    }

    @Test
    void closeStopsTheWatchThread() throws Exception {
        Path config = Files.writeString(dir.resolve("gateway.conf"), "a = 1\n");
        ConfigFileWatcher watcher = new ConfigFileWatcher(config, DEBOUNCE, () -> { });
        watcher.start();
        assertThat(watchThreadAlive()).isTrue();

        watcher.close();

        assertThat(watchThreadAlive()).isFalse();
    }

    private static boolean watchThreadAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals(ConfigFileWatcher.THREAD_NAME) && t.isAlive());
    }
}
