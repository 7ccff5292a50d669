package io.idemgate.gateway.testsupport;

import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * {@link Behaviour#download}: streams {@link DeterministicBytes} with Content-Length, writing the
 * next chunk only while the channel is writable, so a slow reader holds at most a watermark's worth.
 */
final class DownloadResponder implements Behaviour.Responder {

    private static final int CHUNK = 16 * 1024;

    private final UpstreamExchange exchange;
    private final long size;
    private long sent = -1; // -1 until the head is written

    DownloadResponder(UpstreamExchange exchange, long size) {
        this.exchange = exchange;
        this.size = size;
    }

    @Override
    public void onComplete() {
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/octet-stream");
        HttpUtil.setContentLength(head, size);
        exchange.write(head);
        sent = 0;
        writeWhileWritable();
    }

    @Override
    public void onWritable() {
        if (sent >= 0) {
            writeWhileWritable();
        }
    }

    private void writeWhileWritable() {
        while (sent < size && exchange.isOpen() && exchange.isWritable()) {
            int n = (int) Math.min(CHUNK, size - sent);
            exchange.write(new DefaultHttpContent(DeterministicBytes.chunk(exchange.alloc(), sent, n)));
            sent += n;
        }
        if (sent == size) {
            sent = Long.MAX_VALUE; // done: later writability changes are ignored
            exchange.end(exchange.write(LastHttpContent.EMPTY_LAST_CONTENT));
        }
    }
}
