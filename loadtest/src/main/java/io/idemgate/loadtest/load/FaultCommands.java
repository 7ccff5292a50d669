package io.idemgate.loadtest.load;

import io.netty.channel.EventLoop;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code --on-start-cmd} and {@code --mid-run-cmd} shell commands (e.g. killing Redis) at
 * their offsets. The event loop only schedules; each command starts and is awaited on a thread of
 * its own so a slow command never stalls sending. Commands still running at the end are killed.
 */
final class FaultCommands implements AutoCloseable {

    private final PrintStream out;
    private final List<Process> started = new ArrayList<>();

    FaultCommands(PrintStream out) {
        this.out = out;
    }

    void start(LoadOptions options, EventLoop loop) {
        if (options.onStartCmd() != null) {
            launch("on-start", options.onStartCmd());
        }
        for (LoadOptions.TimedCommand c : options.midRunCmds()) {
            loop.schedule(() -> launch("mid-run@" + c.at().toMillis() + "ms", c.command()), c.at().toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    private void launch(String label, String command) {
        Thread t = new Thread(() -> {
            out.println("[" + label + "] running: " + command);
            try {
                Process p = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.INHERIT).start();
                synchronized (started) {
                    started.add(p);
                }
                out.println("[" + label + "] exit " + p.waitFor());
            } catch (Exception e) {
                out.println("[" + label + "] failed: " + e);
            }
        }, "loadgen-fault-" + label);
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() {
        synchronized (started) {
            started.forEach(Process::destroy);
        }
    }
}
