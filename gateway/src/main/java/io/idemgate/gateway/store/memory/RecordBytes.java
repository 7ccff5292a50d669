package io.idemgate.gateway.store.memory;

import io.idemgate.gateway.idempotency.StoredBody;
import io.idemgate.gateway.idempotency.StoredResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A record's head as one byte array: its fingerprint and, once completed, the stored status, whether the
 * body was omitted, and the headers in order, duplicates included. One leaf array per record instead of
 * a String per fingerprint, header name and value, an entry per header and a list: a collector marks
 * and copies it as one object. Replays decode it back (short-lived objects, cheap to collect).
 *
 * <p>Layout: fingerprint; then, completed only, status (4 bytes), omitted (1 byte), header count
 * (varint), and name, value per header. A string is a tag byte and its characters: 0 = 64 lower-case
 * hex characters as 32 bytes (a SHA-256 fingerprint), 1 = varint length and Latin-1 bytes, 2 = varint
 * length and UTF-16 chars (exact for any String, unpaired surrogates included). The encoding is
 * canonical, so equal fingerprints have equal bytes and compare without decoding.
 */
final class RecordBytes {

    private static final int HEX = 0;
    private static final int LATIN1 = 1;
    private static final int UTF16 = 2;
    private static final int HEX_LENGTH = 64;

    private final byte[] bytes;
    private int at;

    private RecordBytes(byte[] bytes, int at) {
        this.bytes = bytes;
        this.at = at;
    }

    /** The head of an in-flight record: its fingerprint alone. */
    static byte[] fingerprint(String fingerprint) {
        RecordBytes out = new RecordBytes(new byte[size(fingerprint)], 0);
        out.putString(fingerprint);
        return out.bytes;
    }

    /** The head of the completed record: the in-flight head's fingerprint, then the response's status and headers. */
    static byte[] completed(byte[] inFlightHead, StoredResponse response) {
        int fingerprint = fingerprintLength(inFlightHead);
        int size = fingerprint + 4 + 1 + varintSize(response.headers().size());
        for (Map.Entry<String, String> header : response.headers()) {
            size += size(header.getKey()) + size(header.getValue());
        }
        RecordBytes out = new RecordBytes(new byte[size], fingerprint);
        System.arraycopy(inFlightHead, 0, out.bytes, 0, fingerprint);
        int status = response.status();
        out.put(status >>> 24).put(status >>> 16).put(status >>> 8).put(status);
        out.put(response.bodyOmitted() ? 1 : 0);
        out.putVarint(response.headers().size());
        for (Map.Entry<String, String> header : response.headers()) {
            out.putString(header.getKey());
            out.putString(header.getValue());
        }
        return out.bytes;
    }

    static boolean sameFingerprint(byte[] head, byte[] fingerprintHead) {
        int length = fingerprintLength(fingerprintHead);
        return fingerprintLength(head) == length
                && java.util.Arrays.equals(head, 0, length, fingerprintHead, 0, length);
    }

    static String fingerprint(byte[] head) {
        return new RecordBytes(head, 0).string();
    }

    /** The completed record's response, decoded from its head, with the body the store keeps beside it. */
    static StoredResponse response(byte[] head, StoredBody body) {
        RecordBytes in = new RecordBytes(head, fingerprintLength(head));
        int status = in.get() << 24 | in.get() << 16 | in.get() << 8 | in.get();
        boolean omitted = in.get() == 1;
        int count = in.varint();
        List<Map.Entry<String, String>> headers = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            headers.add(Map.entry(in.string(), in.string()));
        }
        return new StoredResponse(status, headers, body, omitted);
    }

    private static int fingerprintLength(byte[] head) {
        RecordBytes in = new RecordBytes(head, 0);
        in.skipString();
        return in.at;
    }

    private static int size(String s) {
        if (isHexDigest(s)) {
            return 1 + HEX_LENGTH / 2;
        }
        int length = s.length();
        return 1 + varintSize(length) + (isLatin1(s) ? length : 2 * length);
    }

    private void putString(String s) {
        if (isHexDigest(s)) {
            put(HEX);
            for (int i = 0; i < HEX_LENGTH; i += 2) {
                put(Hex.nibble(s.charAt(i)) << 4 | Hex.nibble(s.charAt(i + 1)));
            }
        } else if (isLatin1(s)) {
            put(LATIN1).putVarint(s.length());
            for (int i = 0; i < s.length(); i++) {
                put(s.charAt(i));
            }
        } else {
            put(UTF16).putVarint(s.length());
            for (int i = 0; i < s.length(); i++) {
                put(s.charAt(i) >>> 8).put(s.charAt(i));
            }
        }
    }

    private String string() {
        int tag = get();
        if (tag == HEX) {
            char[] hex = new char[HEX_LENGTH];
            for (int i = 0; i < HEX_LENGTH; i += 2) {
                int b = get();
                hex[i] = Hex.digit(b >>> 4);
                hex[i + 1] = Hex.digit(b & 0xf);
            }
            return new String(hex);
        }
        int length = varint();
        if (tag == LATIN1) {
            at += length;
            return new String(bytes, at - length, length, StandardCharsets.ISO_8859_1);
        }
        char[] chars = new char[length];
        for (int i = 0; i < length; i++) {
            chars[i] = (char) (get() << 8 | get());
        }
        return new String(chars);
    }

    private void skipString() {
        int tag = get();
        if (tag == HEX) {
            at += HEX_LENGTH / 2;
        } else {
            int length = varint();
            at += tag == LATIN1 ? length : 2 * length;
        }
    }

    private static boolean isHexDigest(String s) {
        return s.length() == HEX_LENGTH && Hex.isLowerHex(s);
    }

    private static boolean isLatin1(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0xff) {
                return false;
            }
        }
        return true;
    }

    private static int varintSize(int value) {
        int size = 1;
        while ((value >>>= 7) != 0) {
            size++;
        }
        return size;
    }

    private RecordBytes putVarint(int value) {
        while ((value & ~0x7f) != 0) {
            put(value & 0x7f | 0x80);
            value >>>= 7;
        }
        return put(value);
    }

    private int varint() {
        int value = 0;
        for (int shift = 0; ; shift += 7) {
            int b = get();
            value |= (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
    }

    private RecordBytes put(int b) {
        bytes[at++] = (byte) b;
        return this;
    }

    private int get() {
        return bytes[at++] & 0xff;
    }
}
