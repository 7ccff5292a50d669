package io.idemgate.loadtest.history;

/**
 * One request the ledger upstream received for {@code key}: the fence it carried (-1 without one), when, and whether it
 * executed ({@code accepted}) or was refused for a stale fence (the ledger opting in with {@code --reject-stale-fences}).
 */
public record Execution(String key, long fence, long receivedMicros, boolean accepted) {

    public static final String HEADER = "idemgate ledger history v1: key fence received_us accepted|stale";

    public static Execution parse(String line) {
        String[] f = line.split("\t", -1);
        if (f.length != 4) {
            throw new IllegalArgumentException("ledger history line needs 4 tab-separated fields: " + line);
        }
        return new Execution(f[0], Long.parseLong(f[1]), Long.parseLong(f[2]), f[3].equals("accepted"));
    }

    public void writeTo(HistoryWriter w) {
        w.line(key, fence, receivedMicros, accepted ? "accepted" : "stale");
    }
}
