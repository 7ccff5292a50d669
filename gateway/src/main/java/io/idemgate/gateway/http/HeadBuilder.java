package io.idemgate.gateway.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The bytes of one message head, built in a reusable array and copied once into a pooled buffer. Every
 * piece is checked as it is copied, so a head built here has exactly the lines its writer meant: no piece
 * can carry a CR, LF or NUL (or any other control byte but HTAB in a value), and a name or a request-line
 * part no space either. A piece that would is refused with {@link IllegalArgumentException} before
 * anything is sent. One instance per connection; its thread only.
 */
public final class HeadBuilder {

    /** A head larger than this does not keep its array: the next one starts small again. */
    private static final int KEEP = 8 * 1024;
    private static final byte[] COLON_SP = {':', ' '};

    private byte[] bytes = new byte[512];
    private int size;

    /** Starts a new head. */
    HeadBuilder reset() {
        size = 0;
        return this;
    }

    /** A method, a target or a field name: visible ASCII or Latin-1 only, never a space or ':' in a name. */
    HeadBuilder token(CharSequence s, boolean name) {
        int n = s.length();
        if (n == 0) {
            throw new IllegalArgumentException("empty " + (name ? "field name" : "request-line part"));
        }
        ensure(n);
        byte[] b = bytes;
        int at = size;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c <= ' ' || c == 0x7F || c > 0xFF || name && c == ':') {
                throw new IllegalArgumentException("a byte 0x" + Integer.toHexString(c) + " in a "
                        + (name ? "field name" : "request-line part") + " is not forwarded");
            }
            b[at++] = (byte) c;
        }
        size = at;
        return this;
    }

    /** A field value: field-content, so any byte but a control byte other than HTAB (and DEL). */
    HeadBuilder value(CharSequence s) {
        int n = s.length();
        ensure(n);
        byte[] b = bytes;
        int at = size;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < ' ' && c != '\t' || c == 0x7F || c > 0xFF) {
                throw new IllegalArgumentException("a byte 0x" + Integer.toHexString(c) + " in a field value is not forwarded");
            }
            b[at++] = (byte) c;
        }
        size = at;
        return this;
    }

    /** A whole field the gateway writes itself: {@code name: value CRLF}. */
    HeadBuilder field(AsciiString name, CharSequence value) {
        return token(name, true).raw(COLON_SP).value(value).crlf();
    }

    /** Bytes known to be well formed (constants of the writer). */
    HeadBuilder raw(byte[] constant) {
        ensure(constant.length);
        System.arraycopy(constant, 0, bytes, size, constant.length);
        size += constant.length;
        return this;
    }

    HeadBuilder decimal(long v) {
        if (v < 0) {
            throw new IllegalArgumentException("negative length");
        }
        ensure(20);
        int digits = 1;
        for (long x = v; x >= 10; x /= 10) {
            digits++;
        }
        int at = size + digits;
        long x = v;
        do {
            bytes[--at] = (byte) ('0' + x % 10);
            x /= 10;
        } while (x != 0);
        size += digits;
        return this;
    }

    HeadBuilder crlf() {
        ensure(2);
        bytes[size++] = '\r';
        bytes[size++] = '\n';
        return this;
    }

    /** The head in one buffer from {@code alloc}; the array is kept for the next head unless it grew large. */
    ByteBuf toBuffer(ByteBufAllocator alloc) {
        ByteBuf out = alloc.buffer(size);
        out.writeBytes(bytes, 0, size);
        if (bytes.length > KEEP) {
            bytes = new byte[512];
        }
        size = 0;
        return out;
    }

    @Override
    public String toString() {
        return new String(bytes, 0, size, StandardCharsets.ISO_8859_1);
    }

    private void ensure(int more) {
        if (size + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
        }
    }
}
