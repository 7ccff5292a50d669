package io.idemgate.gateway.admin;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Collects Netty's leak reports for this test class. Netty reports a leak only when a later allocation finds a
 * collected, unreleased buffer, so this forces collections and allocations before reading the reports.
 */
final class LeakReports {

    private static final ListAppender<ILoggingEvent> REPORTS = new ListAppender<>();

    static {
        REPORTS.start();
        ((Logger) LoggerFactory.getLogger(ResourceLeakDetector.class)).addAppender(REPORTS);
    }

    private LeakReports() {
    }

    /** Call early (class init) so reports from the whole class are caught. */
    static void install() {
    }

    static List<String> collectAfterGc() throws InterruptedException {
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(50);
            for (int j = 0; j < 100; j++) {
                ByteBuf a = PooledByteBufAllocator.DEFAULT.buffer(16);
                a.release();
                ByteBuf b = UnpooledByteBufAllocator.DEFAULT.directBuffer(16);
                b.release();
            }
        }
        return REPORTS.list.stream().map(ILoggingEvent::getFormattedMessage)
                .filter(m -> m.contains("LEAK")).toList();
    }
}
