package io.idemgate.gateway.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import io.idemgate.gateway.http.ForwardedHeaders;
import io.idemgate.gateway.idempotency.BodyChunks;
import io.idemgate.gateway.idempotency.BodyGoneException;
import io.idemgate.gateway.idempotency.StoredBody;
import io.idemgate.gateway.idempotency.StoredResponse;
import io.idemgate.gateway.metrics.GatewayMetrics;
import io.idemgate.gateway.testsupport.PrometheusText;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The replay path: one message for a small resident body, else a stream paced by the client. */
class ReplayWriterTest {

    private static final int UNWRITABLE = 1; // a user-defined writability flag: the test plays the slow client

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final GatewayMetrics metrics = new GatewayMetrics(registry);
    private final EmbeddedChannel channel = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
    private final ChannelHandlerContext ctx = channel.pipeline().firstContext();
    private final ManualBody body = new ManualBody("aa", "bb", "c");
    private final List<Boolean> done = new ArrayList<>();

    @AfterEach
    void releaseWhatWasWritten() {
        for (Object written; (written = channel.readOutbound()) != null; ) {
            ReferenceCountUtil.release(written);
        }
        channel.finishAndReleaseAll();
    }

    @Test
    void theHeadPromisesTheWholeLengthAndChunksFollowInOrder() {
        start();
        for (int i = 0; i < 3; i++) {
            body.answer(i);
            channel.runPendingTasks();
        }

        HttpResponse head = channel.readOutbound();
        assertThat(head.headers().get("Content-Length")).isEqualTo("5");
        assertThat(head.headers().get("Idempotent-Replayed")).isEqualTo("true");
        assertThat(content()).isEqualTo("aa");
        assertThat(content()).isEqualTo("bb");
        HttpContent last = channel.readOutbound();
        assertThat(last).isInstanceOf(LastHttpContent.class);
        assertThat(last.content().toString(StandardCharsets.UTF_8)).isEqualTo("c");
        last.release();
        assertThat(done).containsExactly(true);
    }

    @Test
    void theNextChunkIsFetchedOnlyWhenTheClientCanTakeIt() {
        ReplayWriter stream = start();
        assertThat(body.asked).containsExactly(0);

        body.answer(0);
        channel.runPendingTasks();
        assertThat(body.asked).containsExactly(0, 1);

        clientSlow(true);
        body.answer(1);
        channel.runPendingTasks();
        assertThat(body.asked).as("nothing fetched while the client cannot take it").containsExactly(0, 1);

        clientSlow(false);
        stream.onWritabilityChanged(true);
        assertThat(body.asked).containsExactly(0, 1, 2);
        body.answer(2);
        channel.runPendingTasks();
        assertThat(done).containsExactly(true);
    }

    @Test
    void aChunkTheStoreNoLongerHasEndsTheReplayAsNotWrittenAndIsCounted() throws IOException {
        start();
        body.answer(0);
        channel.runPendingTasks();

        body.fail(1, new BodyGoneException("purged"));
        channel.runPendingTasks();

        assertThat(done).containsExactly(false);
        assertThat(body.asked).containsExactly(0, 1);
        assertThat(scrape().value("idemgate_store_errors_total", "operation", "body_chunk")).isEqualTo(1);
    }

    @Test
    void aClientThatLeftGetsNothingMoreAndNoAnswer() {
        ReplayWriter stream = start();
        body.answer(0);
        channel.runPendingTasks();

        stream.abandon();
        body.answer(1);
        channel.runPendingTasks();

        assertThat(body.asked).containsExactly(0, 1);
        assertThat(done).isEmpty();
    }

    @Test
    void aSmallResidentBodyIsOneMessageWithTheReplayHeaders() {
        ReplayWriter writer = new ReplayWriter("r", new StoredResponse(201,
                List.of(Map.entry("Content-Type", "text/plain"), Map.entry("Transfer-Encoding", "chunked")),
                BodyChunks.copyOf("made".getBytes(StandardCharsets.UTF_8)), true), metrics, new ForwardedHeaders("idemgate"));
        writer.send(ctx, done::add);

        io.netty.handler.codec.http.FullHttpResponse whole = channel.readOutbound();
        try {
            assertThat(whole.status().code()).isEqualTo(201);
            assertThat(whole.headers().get("Content-Length")).isEqualTo("4");
            assertThat(whole.headers().get("Transfer-Encoding")).isNull();
            assertThat(whole.headers().get("Idempotent-Replayed")).isEqualTo("true");
            assertThat(whole.headers().get("Idempotency-Body-Omitted")).isEqualTo("true");
            assertThat(whole.content().toString(StandardCharsets.UTF_8)).isEqualTo("made");
        } finally {
            whole.release();
        }
        assertThat(done).containsExactly(true);
    }

    private ReplayWriter start() {
        ReplayWriter stream = new ReplayWriter("r", new StoredResponse(200, List.of(Map.entry("Content-Type", "text/plain")),
                body, false), metrics, new ForwardedHeaders("idemgate"));
        stream.send(ctx, done::add);
        return stream;
    }

    private void clientSlow(boolean slow) {
        channel.unsafe().outboundBuffer().setUserDefinedWritability(UNWRITABLE, !slow);
    }

    private String content() {
        HttpContent content = channel.readOutbound();
        try {
            return content.content().toString(StandardCharsets.UTF_8);
        } finally {
            content.release();
        }
    }

    private PrometheusText scrape() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ExpositionFormats.init().getPrometheusTextFormatWriter().write(out, registry.scrape());
        return PrometheusText.of(out.toString(StandardCharsets.UTF_8));
    }

    /** A body whose chunks arrive when the test says so, recording which were asked for. */
    private static final class ManualBody implements StoredBody {

        private final String[] chunks;
        private final List<CompletableFuture<byte[]>> pending = new ArrayList<>();
        final List<Integer> asked = new ArrayList<>();

        ManualBody(String... chunks) {
            this.chunks = chunks;
            for (String ignored : chunks) {
                pending.add(new CompletableFuture<>());
            }
        }

        void answer(int index) {
            pending.get(index).complete(chunks[index].getBytes(StandardCharsets.UTF_8));
        }

        void fail(int index, Throwable error) {
            pending.get(index).completeExceptionally(error);
        }

        @Override
        public long length() {
            long length = 0;
            for (String chunk : chunks) {
                length += chunk.length();
            }
            return length;
        }

        @Override
        public int chunkCount() {
            return chunks.length;
        }

        @Override
        public CompletionStage<byte[]> chunk(int index) {
            asked.add(index);
            return pending.get(index);
        }

        @Override
        public boolean resident() {
            return false;
        }
    }
}
