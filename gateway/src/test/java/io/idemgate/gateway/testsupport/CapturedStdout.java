package io.idemgate.gateway.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Copies what is written to {@code System.out} from now on (and still prints it), for tests that read the
 * access log: its writer takes {@code System.out} when a gateway starts, so start the gateway after this.
 * Closing puts the original stream back; a gateway still running keeps writing through the copy.
 */
public final class CapturedStdout implements AutoCloseable {

    private final PrintStream original = System.out;
    private final ByteArrayOutputStream copy = new ByteArrayOutputStream();

    private CapturedStdout() {
    }

    public static CapturedStdout start() {
        CapturedStdout c = new CapturedStdout();
        System.setOut(new PrintStream(new OutputStream() {
            @Override
            public void write(int b) {
                c.original.write(b);
                synchronized (c.copy) {
                    c.copy.write(b);
                }
            }

            @Override
            public void write(byte[] b, int off, int len) {
                c.original.write(b, off, len);
                synchronized (c.copy) {
                    c.copy.write(b, off, len);
                }
            }

            @Override
            public void flush() {
                c.original.flush();
            }
        }, true, StandardCharsets.UTF_8));
        return c;
    }

    /** Every whole line written so far. */
    public List<String> lines() {
        String text;
        synchronized (copy) {
            text = copy.toString(StandardCharsets.UTF_8);
        }
        int end = text.lastIndexOf('\n');
        return end < 0 ? List.of() : Arrays.asList(text.substring(0, end).split("\n"));
    }

    @Override
    public void close() {
        System.setOut(original);
    }
}
