package io.idemgate.gateway.testsupport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fails a test class when Netty reports a leaked buffer (or any other tracked resource) while it ran.
 *
 * <p>Registered for every test through JUnit's extension autodetection
 * ({@code META-INF/services/org.junit.jupiter.api.extension.Extension}), so its static initializer
 * runs when the engine starts, before any test allocates a {@code ByteBuf}: Netty creates the
 * buffer leak detector once, when {@code AbstractByteBuf} is initialised, from whichever
 * {@link ResourceLeakDetectorFactory} is installed at that moment.
 *
 * <p>Detection is lazy in Netty: a leak is noticed only after the GC has collected the buffer and
 * a later allocation polls the reference queue. {@link #collectLeaks()} forces both.
 *
 * <p>The check runs when the class's extension context closes, not in an {@code AfterAll} callback:
 * JUnit closes {@code @AutoClose} fields (and destroys a per-class instance) in its own callbacks, which
 * run after those of an autodetected extension. A check there saw a static gateway still running, so
 * what its shutdown leaked was blamed on the next class, or lost after the last one. The context's
 * store is closed after every callback ({@code NettyLeakDetectionOrderTest}).
 */
public final class NettyLeakDetection implements BeforeAllCallback {

    private static final Logger log = LoggerFactory.getLogger(NettyLeakDetection.class);
    private static final Queue<String> REPORTS = new ConcurrentLinkedQueue<>();
    private static final int DETECTION_ROUNDS = 5;
    private static final int ALLOCATIONS_PER_ROUND = 200;

    static {
        install();
    }

    /** Installs the recording factory; idempotent. Also defaults the level to PARANOID when none was configured. */
    public static synchronized void install() {
        if (ResourceLeakDetectorFactory.instance() instanceof RecordingFactory) {
            return;
        }
        if (System.getProperty("io.netty.leakDetection.level") == null
                && System.getProperty("io.netty.leakDetectionLevel") == null) {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        }
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new RecordingFactory());
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getStore(ExtensionContext.Namespace.create(NettyLeakDetection.class))
                .put(LeakCheck.class, new LeakCheck(context.getDisplayName()));
    }

    /** Closed with the class's extension context, after its resources are; its failure fails the class. */
    private record LeakCheck(String className) implements AutoCloseable {
        @Override
        public void close() {
            List<String> leaks = collectLeaks();
            if (!leaks.isEmpty()) {
                throw new AssertionError(leaks.size() + " Netty resource leak(s) detected while running "
                        + className + ":\n\n" + String.join("\n\n", leaks));
            }
        }
    }

    /**
     * Makes Netty look for leaks now (GC, then allocations that poll the leak queue; bounded rounds)
     * and returns every report recorded since the last call, removing them.
     */
    public static List<String> collectLeaks() {
        for (int round = 0; round < DETECTION_ROUNDS && REPORTS.isEmpty(); round++) {
            System.gc();
            System.runFinalization();
            for (int i = 0; i < ALLOCATIONS_PER_ROUND; i++) {
                allocateAndRelease();
            }
        }
        List<String> leaks = new ArrayList<>();
        for (String report; (report = REPORTS.poll()) != null; ) {
            leaks.add(report);
        }
        return leaks;
    }

    /** Drops recorded reports, e.g. after a test that leaks on purpose. */
    public static void clearLeaks() {
        REPORTS.clear();
    }

    private static void allocateAndRelease() {
        ByteBuf pooled = PooledByteBufAllocator.DEFAULT.buffer(64);
        ByteBuf direct = PooledByteBufAllocator.DEFAULT.directBuffer(64);
        ByteBuf unpooled = UnpooledByteBufAllocator.DEFAULT.heapBuffer(16);
        pooled.release();
        direct.release();
        unpooled.release();
    }

    private static final class RecordingFactory extends ResourceLeakDetectorFactory {
        @Override
        public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval, long maxActive) {
            return newResourceLeakDetector(resource, samplingInterval);
        }

        @Override
        public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval) {
            return new RecordingDetector<>(resource, samplingInterval);
        }
    }

    private static final class RecordingDetector<T> extends ResourceLeakDetector<T> {
        RecordingDetector(Class<T> resource, int samplingInterval) {
            super(resource, samplingInterval);
        }

        @Override
        protected boolean needReport() {
            return true; // record even when the logging config silences Netty's own error log
        }

        @Override
        protected void reportTracedLeak(String resourceType, String records) {
            String report = "LEAK: " + resourceType + ".release() was not called before it was garbage-collected." + records;
            log.error(report);
            REPORTS.add(report);
        }

        @Override
        protected void reportUntracedLeak(String resourceType) {
            String report = "LEAK: " + resourceType + ".release() was not called before it was garbage-collected"
                    + " (raise io.netty.leakDetection.level to PARANOID to see where it was accessed).";
            log.error(report);
            REPORTS.add(report);
        }
    }
}
