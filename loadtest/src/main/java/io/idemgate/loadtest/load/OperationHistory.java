package io.idemgate.loadtest.load;

import io.idemgate.loadtest.history.ClientOp;
import io.idemgate.loadtest.history.HistoryWriter;
import java.nio.file.Path;

/**
 * The {@code --history} file: every operation as the generator saw it, for the history checker. Without
 * the flag it records nothing and costs nothing (no wall-clock reads, no formatted hashes).
 */
final class OperationHistory implements AutoCloseable {

    /** Null without {@code --history}. */
    private final HistoryWriter writer;

    OperationHistory(String file) {
        this.writer = file == null ? null : new HistoryWriter(Path.of(file), ClientOp.HEADER);
    }

    boolean enabled() {
        return writer != null;
    }

    /** Notes the wall-clock send time the history needs. */
    void sending(PlannedRequest p) {
        if (writer != null) {
            p.sentMicros = HistoryWriter.nowMicros();
        }
    }

    void answered(PlannedRequest p, int status, boolean replayed, long hash, String problem) {
        if (writer != null) {
            write(p, status, replayed, String.format("%016x", hash), problem);
        }
    }

    void failed(PlannedRequest p, String reason) {
        if (writer != null) {
            write(p, -1, false, "-", reason);
        }
    }

    private void write(PlannedRequest p, int status, boolean replayed, String hash, String note) {
        new ClientOp(p.key.key, p.sentMicros, HistoryWriter.nowMicros(), status, replayed, hash, note).writeTo(writer);
    }

    @Override
    public void close() {
        if (writer != null) {
            writer.close();
        }
    }
}
