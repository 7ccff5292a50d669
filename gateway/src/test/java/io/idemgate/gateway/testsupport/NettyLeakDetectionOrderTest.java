package io.idemgate.gateway.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.launcher.EngineFilter;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Issue #13: a leak made while a {@code @AutoClose} resource (a gateway kept for the whole class) shuts
 * down fails that class, not the next one. Runs a small class through a real JUnit launcher and reads
 * the class's own result. Each inner class leaks only while {@link #armed}, so run on its own it passes.
 */
class NettyLeakDetectionOrderTest {

    private static volatile boolean armed;

    @AfterEach
    void disarm() {
        armed = false;
        NettyLeakDetection.clearLeaks();
    }

    @Test
    void aLeakWhileAStaticAutoCloseFieldClosesFailsItsOwnClass() {
        TestExecutionResult result = runClass(StaticResourceLeaksOnClose.class, true);

        assertThat(result.getStatus()).isEqualTo(TestExecutionResult.Status.FAILED);
        assertThat(result.getThrowable().orElseThrow().getMessage())
                .contains("Netty resource leak", StaticResourceLeaksOnClose.class.getSimpleName(), "LEAK")
                .contains("leakOneBuffer");
    }

    @Test
    void aLeakWhileAPerClassInstanceFieldClosesFailsItsOwnClass() {
        TestExecutionResult result = runClass(PerClassResourceLeaksOnClose.class, true);

        assertThat(result.getStatus()).isEqualTo(TestExecutionResult.Status.FAILED);
        assertThat(result.getThrowable().orElseThrow().getMessage())
                .contains(PerClassResourceLeaksOnClose.class.getSimpleName(), "LEAK");
    }

    @Test
    void aClassWhoseResourcesCloseCleanlyPasses() {
        assertThat(runClass(StaticResourceLeaksOnClose.class, false).getStatus())
                .isEqualTo(TestExecutionResult.Status.SUCCESSFUL);
    }

    /** Runs {@code testClass} on the Jupiter engine with extension autodetection, as the build does. */
    private static TestExecutionResult runClass(Class<?> testClass, boolean leakOnClose) {
        armed = leakOnClose;
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(DiscoverySelectors.selectClass(testClass))
                .filters(EngineFilter.includeEngines("junit-jupiter"))
                .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "true")
                .build();
        Map<String, TestExecutionResult> results = new ConcurrentHashMap<>();
        LauncherFactory.create().execute(request, new TestExecutionListener() {
            @Override
            public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                if (id.getSource().orElse(null) instanceof ClassSource source
                        && source.getJavaClass().equals(testClass)) {
                    results.put(source.getClassName(), result);
                }
            }
        });
        assertThat(results).as("the launcher ran %s", testClass.getSimpleName()).containsKey(testClass.getName());
        return results.get(testClass.getName());
    }

    /** Stands for a gateway whose shutdown leaks a buffer. */
    static final class LeaksOnClose implements AutoCloseable {
        @Override
        public void close() {
            if (armed) {
                leakOneBuffer();
            }
        }

        private static void leakOneBuffer() {
            ByteBuf leaked = PooledByteBufAllocator.DEFAULT.directBuffer(128);
            leaked.writeLong(42L); // a recorded access, so the report names this method
        }
    }

    static class StaticResourceLeaksOnClose {
        @AutoClose
        static LeaksOnClose gateway = new LeaksOnClose();

        @Test
        void passes() {
            assertThat(gateway).isNotNull();
        }
    }

    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    static class PerClassResourceLeaksOnClose {
        @AutoClose
        LeaksOnClose gateway = new LeaksOnClose();

        @Test
        void passes() {
            assertThat(gateway).isNotNull();
        }
    }
}
