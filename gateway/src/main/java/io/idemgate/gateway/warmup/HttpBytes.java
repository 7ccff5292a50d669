package io.idemgate.gateway.warmup;

import io.netty.buffer.ByteBuf;
import io.netty.util.AsciiString;

/**
 * The little HTTP/1.1 framing the warm-up's clients and upstream read straight from bytes: where a head
 * ends, its status and Content-Length, whether it has a header. They do without Netty's HTTP codec on
 * purpose: the gateway's decoders and encoders are the same classes, and the JIT profiles a method across
 * every caller, so a client and an upstream built on them would teach C2 shapes (aggregated full messages,
 * heap buffers, other handlers) that real traffic never has; they would also cost the warm-up's one core
 * two codecs' work per request. Only for the messages the warm-up itself exchanges with the private gateway.
 */
final class HttpBytes {

    private static final AsciiString CONTENT_LENGTH = AsciiString.cached("content-length");

    private HttpBytes() {
    }

    /** @return the index just past the empty line that ends the head starting at {@code from}, or -1 */
    static int headEnd(ByteBuf buf, int from) {
        int end = buf.writerIndex();
        for (int i = buf.indexOf(from, end, (byte) '\n'); i >= 0; i = buf.indexOf(i + 1, end, (byte) '\n')) {
            if (i + 2 < end && buf.getByte(i + 1) == '\r' && buf.getByte(i + 2) == '\n') {
                return i + 3;
            }
        }
        return -1;
    }

    /** @return the status code of the response head at {@code from} ("HTTP/1.1 201 ..."), or -1 */
    static int status(ByteBuf buf, int from) {
        int code = 0;
        for (int i = from + 9; i < from + 12; i++) {
            byte b = buf.getByte(i);
            if (b < '0' || b > '9') {
                return -1;
            }
            code = code * 10 + (b - '0');
        }
        return code;
    }

    /** @return the Content-Length of the head in {@code [from, headEnd)}, 0 when it has none */
    static int contentLength(ByteBuf buf, int from, int headEnd) {
        int value = valueStart(buf, from, headEnd, CONTENT_LENGTH);
        if (value < 0) {
            return 0;
        }
        int length = 0;
        for (int i = value; i < headEnd; i++) {
            byte b = buf.getByte(i);
            if (b < '0' || b > '9') {
                break;
            }
            length = length * 10 + (b - '0');
        }
        return length;
    }

    /** Whether the head in {@code [from, headEnd)} has a header of that (lower-case) name. */
    static boolean hasHeader(ByteBuf buf, int from, int headEnd, AsciiString lowerCaseName) {
        return valueStart(buf, from, headEnd, lowerCaseName) >= 0;
    }

    /** Whether the head in {@code [from, headEnd)} has that header with that value (both lower-case; any case in the head). */
    static boolean hasHeader(ByteBuf buf, int from, int headEnd, AsciiString lowerCaseName, AsciiString lowerCaseValue) {
        int value = valueStart(buf, from, headEnd, lowerCaseName);
        return value >= 0 && value + lowerCaseValue.length() <= headEnd && lowerCaseAt(buf, value, lowerCaseValue);
    }

    /** @return the index of the first non-blank byte of that header's value, or -1 if the head lacks it */
    private static int valueStart(ByteBuf buf, int from, int headEnd, AsciiString lowerCaseName) {
        int n = lowerCaseName.length();
        for (int line = buf.indexOf(from, headEnd, (byte) '\n') + 1; line > 0 && line + n < headEnd;
             line = buf.indexOf(line, headEnd, (byte) '\n') + 1) {
            if (buf.getByte(line + n) == ':' && lowerCaseAt(buf, line, lowerCaseName)) {
                int v = line + n + 1;
                while (v < headEnd && buf.getByte(v) == ' ') {
                    v++;
                }
                return v;
            }
        }
        return -1;
    }

    /** Whether the bytes at {@code at} are {@code lowerCase}, in any case. */
    private static boolean lowerCaseAt(ByteBuf buf, int at, AsciiString lowerCase) {
        for (int i = 0; i < lowerCase.length(); i++) {
            byte b = buf.getByte(at + i);
            if ((b >= 'A' && b <= 'Z' ? b + 32 : b) != lowerCase.byteAt(i)) {
                return false;
            }
        }
        return true;
    }
}
