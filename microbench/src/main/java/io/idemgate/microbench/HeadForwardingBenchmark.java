package io.idemgate.microbench;

import io.idemgate.gateway.http.DecodedRequestHeaders;
import io.idemgate.gateway.http.ForwardedHeaders;
import io.idemgate.gateway.http.HopByHopHeaders;
import io.idemgate.gateway.http.MessageFraming;
import io.idemgate.gateway.http.RequestHeadRules;
import io.idemgate.gateway.http.TrailerHeaders;
import io.idemgate.gateway.http.UpstreamRequestHead;
import io.idemgate.gateway.upstream.DecodedResponseHeaders;
import io.idemgate.gateway.upstream.UpstreamHttpCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One pass-through request's head and its response's head, as the gateway handles them: decoded by Netty
 * with the gateway's decoder settings, checked ({@link RequestHeadRules}); the request written for the
 * upstream by the gateway's own codec ({@link UpstreamRequestHead}: hop-by-hop fields left out, its own
 * framing and forwarding fields), the response edited in place and encoded by Netty. {@code decode*} is Netty's part
 * alone, so the difference is the gateway's. Run with {@code -prof gc}: bytes per operation are exact,
 * while time on the shared machine is not (issue #12, target 5).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@Fork(jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch", "-Dio.netty.leakDetection.level=disabled"})
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class HeadForwardingBenchmark {

    private static final byte[] REQUEST = ("POST /v1/orders HTTP/1.1\r\n"
            + "Host: 127.0.0.1:18701\r\n"
            + "Content-Length: 200\r\n"
            + "Content-Type: application/json\r\n"
            + "Authorization: Bearer bench-client\r\n"
            + "\r\n" + "x".repeat(200)).getBytes(StandardCharsets.US_ASCII);
    private static final byte[] RESPONSE = ("HTTP/1.1 201 Created\r\n"
            + "Server: nginx/1.22.1\r\n"
            + "Date: Thu, 03 Dec 2026 07:00:00 GMT\r\n"
            + "Content-Type: application/json\r\n"
            + "Content-Length: 160\r\n"
            + "Connection: keep-alive\r\n"
            + "\r\n" + "y".repeat(160)).getBytes(StandardCharsets.US_ASCII);

    private final ForwardedHeaders forwarded = new ForwardedHeaders("idemgate");
    private EmbeddedChannel requestDecoder;
    private EmbeddedChannel requestEncoder;
    private EmbeddedChannel responseDecoder;
    private EmbeddedChannel responseEncoder;

    @Setup(Level.Trial)
    public void setUp() {
        // As server/ProxyChannelInitializer and upstream/UpstreamChannelInitializer configure them.
        requestDecoder = new EmbeddedChannel(new HttpRequestDecoder(new HttpDecoderConfig()
                .setMaxInitialLineLength(8192).setMaxHeaderSize(16384).setMaxChunkSize(65536)
                .setValidateHeaders(true).setHeadersFactory(DecodedRequestHeaders.FACTORY)));
        requestEncoder = new EmbeddedChannel(new UpstreamHttpCodec(new HttpDecoderConfig()));
        // The gateway's upstream codec, used here for its response decoder (shared header names, lazy trailers);
        // with no request written through it, each response is framed by its own headers.
        responseDecoder = new EmbeddedChannel(new UpstreamHttpCodec(new HttpDecoderConfig()
                .setMaxInitialLineLength(8192).setMaxHeaderSize(65536).setMaxChunkSize(65536)
                .setHeadersFactory(DecodedResponseHeaders.FACTORY).setTrailersFactory(TrailerHeaders.FACTORY)));
        responseEncoder = new EmbeddedChannel(new HttpResponseEncoder());
        // Sanity: the request gains the forwarding fields; the response loses Connection and gains Via.
        if (forwardRequest() <= REQUEST.length || forwardResponse() < RESPONSE.length - 24) {
            throw new IllegalStateException("the heads did not leave as the gateway forwards them");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        requestDecoder.finishAndReleaseAll();
        requestEncoder.finishAndReleaseAll();
        responseDecoder.finishAndReleaseAll();
        responseEncoder.finishAndReleaseAll();
    }

    /** Netty's decoding of the request alone. */
    @Benchmark
    public int decodeRequest() {
        requestDecoder.writeInbound(Unpooled.wrappedBuffer(REQUEST));
        int n = 0;
        Object m;
        while ((m = requestDecoder.readInbound()) != null) {
            n++;
            ReferenceCountUtil.release(m);
        }
        return n;
    }

    /** Decoded, checked, edited for the upstream and encoded: the request head's whole way through. */
    @Benchmark
    public int forwardRequest() {
        requestDecoder.writeInbound(Unpooled.wrappedBuffer(REQUEST));
        Object m;
        while ((m = requestDecoder.readInbound()) != null) {
            if (m instanceof HttpRequest request) {
                if (RequestHeadRules.violation(request) != null) {
                    throw new IllegalStateException("refused");
                }
                long length = HttpUtil.getContentLength(request, -1L);
                requestEncoder.writeOutbound(new UpstreamRequestHead(request, request.uri(), false, length, null,
                        "127.0.0.1:18700", "127.0.0.1", "http", forwarded));
            } else {
                requestEncoder.writeOutbound(m);
            }
        }
        return drain(requestEncoder);
    }

    /** Netty's decoding of the response alone. */
    @Benchmark
    public int decodeResponse() {
        responseDecoder.writeInbound(Unpooled.wrappedBuffer(RESPONSE));
        int n = 0;
        Object m;
        while ((m = responseDecoder.readInbound()) != null) {
            n++;
            ReferenceCountUtil.release(m);
        }
        return n;
    }

    /** Decoded, edited for the client and encoded. */
    @Benchmark
    public int forwardResponse() {
        responseDecoder.writeInbound(Unpooled.wrappedBuffer(RESPONSE));
        Object m;
        while ((m = responseDecoder.readInbound()) != null) {
            if (m instanceof HttpResponse response) {
                HttpHeaders h = response.headers();
                boolean hasLength = h.contains(HttpHeaderNames.CONTENT_LENGTH);
                int connection = HopByHopHeaders.stripReadingConnection(h); // as exchange/ResponseForwarder.head
                if ((connection & HopByHopHeaders.CLOSE) != 0) {
                    throw new IllegalStateException("the upstream closes");
                }
                forwarded.applyToResponse(h);
                MessageFraming.forClient(response, hasLength, false, true, false);
            }
            responseEncoder.writeOutbound((HttpObject) m);
        }
        return drain(responseEncoder);
    }

    private static int drain(EmbeddedChannel ch) {
        int bytes = 0;
        ByteBuf b;
        while ((b = ch.readOutbound()) != null) {
            bytes += b.readableBytes();
            b.release();
        }
        return bytes;
    }
}
