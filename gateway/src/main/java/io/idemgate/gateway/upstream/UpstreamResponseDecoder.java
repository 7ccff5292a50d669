package io.idemgate.gateway.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.util.AsciiString;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The upstream's responses, decoded with the method of the request each answers, as Netty's
 * {@code HttpClientCodec} decodes them: a response to {@code HEAD} has no body whatever its headers
 * say, and after a {@code 200} to {@code CONNECT} the bytes are no longer HTTP (passed on raw, which the
 * receiver refuses by closing). The methods come from {@link UpstreamRequestEncoder}, in order.
 * One per connection; its event loop.
 */
final class UpstreamResponseDecoder extends HttpResponseDecoder {

    private final ArrayDeque<HttpMethod> methods = new ArrayDeque<>(2);
    private boolean tunnel;

    UpstreamResponseDecoder(HttpDecoderConfig config) {
        super(config);
    }

    /** A request head was written: its response comes next after those of the earlier ones. */
    void requestSent(HttpMethod method) {
        methods.add(method);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
        if (tunnel) {
            int readable = actualReadableBytes();
            if (readable > 0) {
                out.add(buffer.readBytes(readable));
            }
            return;
        }
        super.decode(ctx, buffer, out);
    }

    /** The common names shared, as Netty's request decoder does for requests: no new name per header line. */
    @Override
    protected AsciiString splitHeaderName(byte[] sb, int start, int length) {
        AsciiString known = ResponseHeaderNames.known(sb, start, length);
        return known != null ? known : super.splitHeaderName(sb, start, length);
    }

    @Override
    protected boolean isContentAlwaysEmpty(HttpMessage msg) {
        HttpResponse response = (HttpResponse) msg;
        if (response.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
            return super.isContentAlwaysEmpty(msg); // an interim response answers no request by itself
        }
        HttpMethod method = methods.poll(); // null: a response nobody asked for; framed by its headers
        if (HttpMethod.HEAD.equals(method)) {
            return true;
        }
        if (HttpMethod.CONNECT.equals(method) && response.status().code() == 200) {
            tunnel = true;
            methods.clear();
            return true;
        }
        return super.isContentAlwaysEmpty(msg);
    }
}
