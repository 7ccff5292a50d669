package io.idemgate.loadtest.history;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * Appends history lines (tab-separated, one event a line, after a {@code #} header) to a file, flushing each, so a
 * process stopped mid-run leaves every event it recorded. Thread-safe. Times are wall-clock microseconds since the
 * epoch, so the generator's and the ledger's files, written by different processes on one machine, can be compared.
 */
public final class HistoryWriter implements AutoCloseable {

    private final BufferedWriter out;
    private boolean closed;

    public HistoryWriter(Path file, String header) {
        try {
            this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
            out.write("# " + header + "\n");
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write history " + file, e);
        }
    }

    /** Wall-clock microseconds since the epoch. */
    public static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    public synchronized void line(Object... fields) {
        if (closed) {
            return;
        }
        try {
            for (int i = 0; i < fields.length; i++) {
                if (i > 0) {
                    out.write('\t');
                }
                out.write(String.valueOf(fields[i]));
            }
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
