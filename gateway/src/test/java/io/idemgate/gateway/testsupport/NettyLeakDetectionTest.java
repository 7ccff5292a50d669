package io.idemgate.gateway.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class NettyLeakDetectionTest {

    @AfterEach
    void forgetTheDeliberateLeak() {
        NettyLeakDetection.clearLeaks();
    }

    @Test
    void theRecordingFactoryIsInstalledBeforeTestsRun() {
        assertThat(ResourceLeakDetectorFactory.instance().getClass().getName()).contains("NettyLeakDetection");
    }

    @Test
    void aBufferThatIsNeverReleasedIsReported() {
        leakOneBuffer();

        List<String> leaks = new ArrayList<>();
        for (int attempt = 0; attempt < 10 && leaks.isEmpty(); attempt++) {
            leaks.addAll(NettyLeakDetection.collectLeaks());
        }

        assertThat(leaks).isNotEmpty();
        assertThat(leaks.get(0)).contains("LEAK", "ByteBuf").contains("leakOneBuffer");
    }

    @Test
    void releasedBuffersReportNothing() {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.buffer(32).writeInt(7);
        buf.release();
        assertThat(NettyLeakDetection.collectLeaks()).isEmpty();
    }

    private static void leakOneBuffer() {
        ByteBuf leaked = PooledByteBufAllocator.DEFAULT.directBuffer(128);
        leaked.writeLong(42L); // a recorded access, so the report names this method
    }
}
