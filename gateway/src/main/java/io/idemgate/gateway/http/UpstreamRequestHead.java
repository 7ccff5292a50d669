package io.idemgate.gateway.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A client request's head as the upstream gets it, written by the gateway straight into one buffer from
 * the decoded (and checked) request: the client's fields in their order, less the hop-by-hop ones
 * ({@link HopByHopHeaders}), {@code Expect} (answered here) and the fields the gateway writes itself;
 * then the framing the gateway read the body by ({@code content-length} or {@code transfer-encoding:
 * chunked}, never the client's), the Host where the gateway decides it, and the forwarding fields
 * ({@link ForwardedHeaders}: {@code x-forwarded-for} appended, {@code -proto} and {@code -host} set,
 * {@code via} appended). The same head the decoded request would have after
 * {@link HopByHopHeaders#strip}, {@link MessageFraming#forUpstream} and
 * {@link ForwardedHeaders#applyToRequest} and Netty's encoder (one difference: {@code content-length}
 * comes after the client's fields rather than in the client's place), without editing the request's
 * header table (four new entries, a removal per hop-by-hop name) or copying strings.
 * <p>
 * Every byte goes through {@link HeadBuilder}, which refuses any piece that could add or split a line:
 * the head the upstream parses has exactly the fields listed here, whatever a header table holds.
 */
public final class UpstreamRequestHead {

    private static final byte[] SP = {' '};
    private static final byte[] HTTP_1_1_CRLF = " HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] COMMA_SP = {',', ' '};
    private static final byte[] COLON_SP = {':', ' '};
    private static final byte[] CHUNKED_FIELD = "transfer-encoding: chunked\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] LENGTH_FIELD = "content-length: ".getBytes(StandardCharsets.US_ASCII);

    // What a client field is to this writer (by name, case-insensitively).
    private static final int KEEP = 0;
    private static final int DROP = 1; // hop-by-hop, Expect, framing, or a field the gateway always sets (-proto, -host)
    private static final int HOST = 2;
    private static final int FORWARDED_FOR = 3;
    private static final int VIA = 4;

    private final HttpRequest request;
    private final String uri;
    private final boolean chunked;
    private final long length;
    private final String host;
    private final String fallbackHost;
    private final String clientIp;
    private final String scheme;
    private final ForwardedHeaders forwarded;

    /**
     * @param uri the normalised origin-form target
     * @param chunked the body goes on chunked
     * @param length the body's length when not chunked, -1 for none
     * @param host the Host to send (an absolute-form target's authority), or null to keep the client's
     *             ({@code fallbackHost} when it sent none)
     * @param clientIp appended to {@code x-forwarded-for}, or null (not an IP connection: the client's kept)
     */
    public UpstreamRequestHead(HttpRequest request, String uri, boolean chunked, long length, String host,
                               String fallbackHost, String clientIp, String scheme, ForwardedHeaders forwarded) {
        this.request = request;
        this.uri = uri;
        this.chunked = chunked;
        this.length = length;
        this.host = host;
        this.fallbackHost = fallbackHost;
        this.clientIp = clientIp;
        this.scheme = scheme;
        this.forwarded = forwarded;
    }

    public HttpMethod method() {
        return request.method();
    }

    public boolean chunked() {
        return chunked;
    }

    /** The body's length when not chunked; -1 for none. */
    public long length() {
        return length;
    }

    /**
     * The head's bytes in one buffer.
     *
     * @throws IllegalArgumentException if a method, target, name or value holds a byte that could change
     *                                  the head's lines (the decoder refuses them, so this is a last guard)
     */
    public ByteBuf encode(HeadBuilder b, ByteBufAllocator alloc) {
        b.reset().token(request.method().asciiName(), false).raw(SP).token(uri, false).raw(HTTP_1_1_CRLF);
        List<String> named = HopByHopHeaders.connectionOptions(request.headers());
        CharSequence clientHost = null;
        CharSequence priorFor = null;
        CharSequence priorVia = null;
        // One pass over the client's fields: most are copied as they are; the few the gateway rewrites are
        // remembered (the first of each, as a header table's get would give) and written after them.
        Iterator<Map.Entry<CharSequence, CharSequence>> fields = request.headers().iteratorCharSequence();
        boolean hostSeen = false;
        while (fields.hasNext()) {
            Map.Entry<CharSequence, CharSequence> field = fields.next();
            CharSequence name = field.getKey();
            int role = isNamed(name, named) ? DROP : role(name);
            switch (role) {
                case KEEP -> b.token(name, true).raw(COLON_SP).value(field.getValue()).crlf();
                case HOST -> {
                    if (!hostSeen) {
                        hostSeen = true;
                        clientHost = field.getValue();
                    }
                    if (host == null) {
                        b.token(name, true).raw(COLON_SP).value(field.getValue()).crlf();
                    }
                }
                case FORWARDED_FOR -> {
                    if (clientIp == null) {
                        b.token(name, true).raw(COLON_SP).value(field.getValue()).crlf();
                    } else if (priorFor == null) {
                        priorFor = field.getValue();
                    }
                }
                case VIA -> {
                    if (priorVia == null) {
                        priorVia = field.getValue();
                    }
                }
                default -> {
                }
            }
        }
        if (host != null) {
            b.field(HttpHeaderNames.HOST, host);
        } else if (!hostSeen && fallbackHost != null) {
            b.field(HttpHeaderNames.HOST, fallbackHost);
        }
        if (chunked) {
            b.raw(CHUNKED_FIELD);
        } else if (length >= 0) {
            b.raw(LENGTH_FIELD).decimal(length).crlf();
        }
        if (clientIp != null) {
            b.token(ForwardedHeaders.X_FORWARDED_FOR, true).raw(COLON_SP);
            if (priorFor != null && !isBlank(priorFor)) {
                b.value(priorFor).raw(COMMA_SP);
            }
            b.value(clientIp).crlf();
        }
        b.field(ForwardedHeaders.X_FORWARDED_PROTO, scheme);
        CharSequence forwardedHost = host != null ? host : hostSeen ? clientHost : fallbackHost;
        if (forwardedHost != null) {
            b.field(ForwardedHeaders.X_FORWARDED_HOST, forwardedHost);
        }
        b.token(HttpHeaderNames.VIA, true).raw(COLON_SP);
        if (priorVia != null) {
            b.value(priorVia).raw(COMMA_SP);
        }
        b.value(forwarded.via()).crlf();
        return b.crlf().toBuffer(alloc);
    }

    private static boolean isNamed(CharSequence name, List<String> named) {
        for (int i = 0; i < named.size(); i++) {
            if (AsciiString.contentEqualsIgnoreCase(name, named.get(i))) {
                return true;
            }
        }
        return false;
    }

    /** By length first: most fields are compared with nothing or one name. */
    static int role(CharSequence name) {
        switch (name.length()) {
            case 2:
                return is(name, HttpHeaderNames.TE) ? DROP : KEEP;
            case 3:
                return is(name, HttpHeaderNames.VIA) ? VIA : KEEP;
            case 4:
                return is(name, HttpHeaderNames.HOST) ? HOST : KEEP;
            case 6:
                return is(name, HttpHeaderNames.EXPECT) ? DROP : KEEP;
            case 7:
                return is(name, HttpHeaderNames.TRAILER) || is(name, HttpHeaderNames.UPGRADE) ? DROP : KEEP;
            case 10:
                return is(name, HttpHeaderNames.CONNECTION) || is(name, HttpHeaderNames.KEEP_ALIVE) ? DROP : KEEP;
            case 14:
                return is(name, HttpHeaderNames.CONTENT_LENGTH) ? DROP : KEEP;
            case 15:
                return is(name, ForwardedHeaders.X_FORWARDED_FOR) ? FORWARDED_FOR : KEEP;
            case 16:
                return is(name, ForwardedHeaders.X_FORWARDED_HOST) || is(name, HttpHeaderNames.PROXY_CONNECTION) ? DROP : KEEP;
            case 17:
                return is(name, HttpHeaderNames.TRANSFER_ENCODING) || is(name, ForwardedHeaders.X_FORWARDED_PROTO) ? DROP : KEEP;
            case 18:
                return is(name, HttpHeaderNames.PROXY_AUTHENTICATE) ? DROP : KEEP;
            case 19:
                return is(name, HttpHeaderNames.PROXY_AUTHORIZATION) ? DROP : KEEP;
            default:
                return KEEP;
        }
    }

    private static boolean is(CharSequence name, AsciiString known) {
        return known.contentEqualsIgnoreCase(name);
    }

    private static boolean isBlank(CharSequence s) {
        for (int i = 0; i < s.length(); i++) {
            if (!Character.isWhitespace(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }
}
