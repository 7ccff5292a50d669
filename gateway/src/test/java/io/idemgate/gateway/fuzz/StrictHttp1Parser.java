package io.idemgate.gateway.fuzz;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A reference HTTP/1.1 request parser written from RFC 9112 alone, as strict as the RFC lets a server
 * be: the oracle the fuzzer measures the gateway against, and the parser of the recording upstream.
 * Where the RFC offers a choice (obs-fold, duplicate Content-Length, bare LF, a Transfer-Encoding other
 * than {@code chunked}) it refuses, so anything it accepts has exactly one reading.
 * It shares no code with the gateway or Netty. Stateless.
 */
final class StrictHttp1Parser {

    /** Chunk sizes and Content-Length values above this are refused (no real test sends more). */
    static final long MAX_BODY = 16L * 1024 * 1024;

    record Field(String name, String value) {
        @Override
        public String toString() {
            return name + ": " + value;
        }
    }

    /** One parsed request. {@code target} as sent; {@code body} de-chunked. */
    record Request(String method, String target, String version, List<Field> fields, byte[] body, List<Field> trailers,
                   boolean chunked) {

        List<String> all(String name) {
            List<String> out = new ArrayList<>();
            for (Field f : fields) {
                if (f.name().equalsIgnoreCase(name)) {
                    out.add(f.value());
                }
            }
            return out;
        }

        String first(String name) {
            List<String> all = all(name);
            return all.isEmpty() ? null : all.get(0);
        }

        /** Connection options, lower case (RFC 9110 §7.6.1). */
        List<String> connectionOptions() {
            List<String> out = new ArrayList<>();
            for (String v : all("Connection")) {
                for (String t : v.split(",")) {
                    if (!t.isBlank()) {
                        out.add(t.trim().toLowerCase(Locale.ROOT));
                    }
                }
            }
            return out;
        }

        /** Whether the connection persists after this request (RFC 9112 §9.3). */
        boolean keepsAlive() {
            List<String> options = connectionOptions();
            if (options.contains("close")) {
                return false;
            }
            return version.equals("HTTP/1.1") || options.contains("keep-alive");
        }

        /** The origin-form path and query of the target (an absolute-form target loses its authority). */
        String pathAndQuery() {
            if (target.startsWith("/")) {
                return target;
            }
            int scheme = target.indexOf("://");
            int slash = scheme < 0 ? -1 : target.indexOf('/', scheme + 3);
            int query = scheme < 0 ? -1 : target.indexOf('?', scheme + 3);
            if (slash < 0 || query >= 0 && query < slash) {
                return query < 0 ? "/" : "/" + target.substring(query);
            }
            return target.substring(slash);
        }

        String bodyText() {
            return new String(body, StandardCharsets.ISO_8859_1);
        }

        @Override
        public String toString() {
            return method + " " + target + " " + version + " " + fields + " body=" + Bytes.escape(body);
        }
    }

    /** What the stream held: the requests parsed whole, then why parsing stopped (null: all bytes consumed). */
    record Parse(List<Request> requests, String error, boolean incomplete, int consumed) {
        boolean clean() {
            return error == null && !incomplete;
        }
    }

    private StrictHttp1Parser() {
    }

    /** Parses every request in {@code bytes}, stopping at the first malformed or incomplete one. */
    static Parse parseAll(byte[] bytes) {
        List<Request> requests = new ArrayList<>();
        int at = 0;
        while (true) {
            Cursor c = new Cursor(bytes, at);
            c.skipLeadingEmptyLines();
            if (c.pos == bytes.length) {
                return new Parse(requests, null, false, c.pos);
            }
            try {
                requests.add(parseRequest(c));
                at = c.pos;
            } catch (Incomplete e) {
                return new Parse(requests, null, true, at);
            } catch (Malformed e) {
                return new Parse(requests, e.getMessage(), false, at);
            }
        }
    }

    /**
     * Parses the one request at {@code from}.
     *
     * @return the request and the offset after it, or null when the bytes end before the request does
     * @throws Malformed when it breaks RFC 9112
     */
    static Parsed parseOne(byte[] bytes, int from, int to) throws Malformed {
        Cursor c = new Cursor(bytes, from, to);
        c.skipLeadingEmptyLines();
        try {
            return new Parsed(parseRequest(c), c.pos);
        } catch (Incomplete e) {
            return null;
        }
    }

    record Parsed(Request request, int end) {
    }

    static final class Malformed extends Exception {
        Malformed(String why) {
            super(why, null, false, false);
        }
    }

    private static final class Incomplete extends RuntimeException {
        static final Incomplete INSTANCE = new Incomplete();

        private Incomplete() {
            super(null, null, false, false);
        }
    }

    private static Request parseRequest(Cursor c) throws Malformed {
        String line = c.line();
        // RFC 9112 §3 lets a recipient split on whitespace other than SP; the gateway reads a single HTAB
        // as a separator too and forwards the line re-written with SP, so the one leniency kept is that.
        String[] parts = line.split("[ \t]", -1);
        if (parts.length != 3) {
            throw new Malformed("request line is not method SP target SP version: " + Bytes.escape(line));
        }
        String method = parts[0];
        String target = parts[1];
        String version = parts[2];
        if (!isToken(method)) {
            throw new Malformed("method is not a token");
        }
        if (target.isEmpty() || !target.chars().allMatch(ch -> ch > 0x20 && ch < 0x7f)) {
            throw new Malformed("target has a byte outside VCHAR");
        }
        if (!target.startsWith("/") && !target.startsWith("http://") && !target.startsWith("https://")
                && !(target.equals("*") && method.equals("OPTIONS"))) {
            throw new Malformed("target is neither origin-form nor absolute-form");
        }
        if (!version.equals("HTTP/1.1") && !version.equals("HTTP/1.0")) {
            throw new Malformed("version is not HTTP/1.1 or HTTP/1.0: " + version);
        }
        List<Field> fields = fields(c);
        checkFieldNames(fields);
        List<Field> te = only(fields, "Transfer-Encoding");
        List<Field> cl = only(fields, "Content-Length");
        List<Field> host = only(fields, "Host");
        if (version.equals("HTTP/1.1") && host.size() != 1) {
            throw new Malformed("an HTTP/1.1 request needs exactly one Host, has " + host.size());
        }
        if (host.size() > 1) {
            throw new Malformed("more than one Host");
        }
        for (Field f : fields) {
            if (f.name().equalsIgnoreCase("Connection")) {
                for (String option : f.value().split(",")) {
                    String o = option.trim().toLowerCase(Locale.ROOT);
                    if (o.equals("content-length") || o.equals("transfer-encoding") || o.equals("host")) {
                        throw new Malformed("Connection names the framing field " + o);
                    }
                }
            }
        }
        if (!te.isEmpty()) {
            if (!version.equals("HTTP/1.1")) {
                throw new Malformed("Transfer-Encoding in an HTTP/1.0 request");
            }
            if (!cl.isEmpty()) {
                throw new Malformed("both Transfer-Encoding and Content-Length");
            }
            if (te.size() != 1 || !te.get(0).value().equalsIgnoreCase("chunked")) {
                throw new Malformed("Transfer-Encoding other than exactly chunked: " + te);
            }
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            List<Field> trailers = chunkedBody(c, body);
            return new Request(method, target, version, fields, body.toByteArray(), trailers, true);
        }
        if (cl.size() > 1) {
            throw new Malformed("more than one Content-Length");
        }
        long length = 0;
        if (cl.size() == 1) {
            String v = cl.get(0).value();
            if (v.isEmpty() || v.length() > 12 || !v.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
                throw new Malformed("Content-Length is not 1*DIGIT: " + Bytes.escape(v));
            }
            length = Long.parseLong(v);
            if (length > MAX_BODY) {
                throw new Malformed("Content-Length over the parser's limit");
            }
        }
        return new Request(method, target, version, fields, c.take((int) length), List.of(), false);
    }

    /**
     * Field lines. obs-fold is the one leniency: RFC 9112 §5.2 lets a proxy replace it with SP before
     * interpreting or forwarding the field, which is what the gateway does, so the upstream always sees
     * one unfolded value and cannot read it otherwise.
     */
    private static List<Field> fields(Cursor c) throws Malformed {
        List<Field> fields = new ArrayList<>();
        for (String line = c.line(); !line.isEmpty(); line = c.line()) {
            if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
                if (fields.isEmpty()) {
                    throw new Malformed("whitespace before the first field line");
                }
                Field last = fields.remove(fields.size() - 1);
                String more = trimOws(line);
                checkValue(last.name(), more);
                fields.add(new Field(last.name(), last.value().isEmpty() ? more : more.isEmpty() ? last.value() : last.value() + " " + more));
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new Malformed("field line without a name and a colon: " + Bytes.escape(line));
            }
            String name = line.substring(0, colon);
            if (!isToken(name)) {
                throw new Malformed("field name is not a token: " + Bytes.escape(name));
            }
            String value = trimOws(line.substring(colon + 1));
            checkValue(name, value);
            fields.add(new Field(name, value));
        }
        return fields;
    }

    private static String trimOws(String value) {
        int s = 0;
        int e = value.length();
        while (s < e && (value.charAt(s) == ' ' || value.charAt(s) == '\t')) {
            s++;
        }
        while (e > s && (value.charAt(e - 1) == ' ' || value.charAt(e - 1) == '\t')) {
            e--;
        }
        return value.substring(s, e);
    }

    private static void checkValue(String name, String value) throws Malformed {
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            if (ch < 0x20 && ch != '\t' || ch == 0x7f) {
                throw new Malformed("control character in the value of " + name);
            }
        }
    }

    /** Names that a CGI-style upstream would fold into a framing field ({@code Content_Length}). */
    private static void checkFieldNames(List<Field> fields) throws Malformed {
        for (Field f : fields) {
            if (f.name().indexOf('_') >= 0) {
                String folded = f.name().replace('_', '-');
                if (folded.equalsIgnoreCase("Content-Length") || folded.equalsIgnoreCase("Transfer-Encoding")
                        || folded.equalsIgnoreCase("Host")) {
                    throw new Malformed("field name that folds to a framing field: " + f.name());
                }
            }
        }
    }

    private static List<Field> chunkedBody(Cursor c, ByteArrayOutputStream body) throws Malformed {
        while (true) {
            String line = c.line();
            int semi = line.indexOf(';');
            String size = semi < 0 ? line : line.substring(0, semi);
            // RFC 9112 §7.1: chunk-size = 1*HEXDIG, then chunk-ext = *( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] )
            String trimmedSize = size.stripTrailing();
            if (trimmedSize.isEmpty() || trimmedSize.length() > 8
                    || !trimmedSize.chars().allMatch(StrictHttp1Parser::isHex)) {
                throw new Malformed("chunk size is not 1*HEXDIG: " + Bytes.escape(size));
            }
            if (semi < 0 && trimmedSize.length() != size.length()) {
                throw new Malformed("whitespace after a chunk size without an extension");
            }
            if (semi >= 0) {
                checkExtensions(line.substring(semi));
            }
            long n = Long.parseLong(trimmedSize, 16);
            if (n > MAX_BODY) {
                throw new Malformed("chunk over the parser's limit");
            }
            if (n == 0) {
                List<Field> trailers = fields(c);
                checkFieldNames(trailers);
                return trailers;
            }
            body.writeBytes(c.take((int) n));
            if (!c.line().isEmpty()) {
                throw new Malformed("chunk data not followed by CRLF");
            }
        }
    }

    /**
     * Chunk extensions are only checked for control characters: the gateway re-frames every body and
     * forwards no extension, so their syntax cannot make it and the upstream disagree.
     */
    private static void checkExtensions(String ext) throws Malformed {
        for (int i = 0; i < ext.length(); i++) {
            char ch = ext.charAt(i);
            if (ch < 0x20 && ch != '\t' || ch == 0x7f) {
                throw new Malformed("control character in a chunk extension");
            }
        }
    }

    private static List<Field> only(List<Field> fields, String name) {
        List<Field> out = new ArrayList<>();
        for (Field f : fields) {
            if (f.name().equalsIgnoreCase(name)) {
                out.add(f);
            }
        }
        return out;
    }

    static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (!isTchar(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isTchar(char ch) {
        return ch >= '0' && ch <= '9' || ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || "!#$%&'*+-.^_`|~".indexOf(ch) >= 0;
    }

    private static boolean isHex(int ch) {
        return ch >= '0' && ch <= '9' || ch >= 'a' && ch <= 'f' || ch >= 'A' && ch <= 'F';
    }

    /** Reads lines ending in CRLF only; a lone CR or LF is malformed. Throws Incomplete at the end of the bytes. */
    private static final class Cursor {
        private final byte[] b;
        private final int end;
        int pos;

        Cursor(byte[] b, int pos) {
            this(b, pos, b.length);
        }

        Cursor(byte[] b, int pos, int end) {
            this.b = b;
            this.pos = pos;
            this.end = end;
        }

        /**
         * RFC 9112 §2.2: a server should ignore at least one empty line before the request line. The
         * gateway skips any whitespace and control bytes there (so does Netty's decoder) and never
         * forwards them, so the upstream cannot read them otherwise: the oracle skips them too.
         */
        void skipLeadingEmptyLines() {
            while (pos < end && (b[pos] & 0xff) <= 0x20) {
                pos++;
            }
        }

        String line() throws Malformed {
            for (int i = pos; i < end; i++) {
                if (b[i] == '\n') {
                    throw new Malformed("bare LF");
                }
                if (b[i] == '\r') {
                    if (i + 1 >= end) {
                        throw Incomplete.INSTANCE;
                    }
                    if (b[i + 1] != '\n') {
                        throw new Malformed("bare CR");
                    }
                    String s = new String(b, pos, i - pos, StandardCharsets.ISO_8859_1);
                    if (s.indexOf('\0') >= 0) {
                        throw new Malformed("NUL in a line");
                    }
                    pos = i + 2;
                    return s;
                }
                if (i - pos > 64 * 1024) {
                    throw new Malformed("line too long");
                }
            }
            throw Incomplete.INSTANCE;
        }

        byte[] take(int n) {
            if (end - pos < n) {
                throw Incomplete.INSTANCE;
            }
            byte[] out = java.util.Arrays.copyOfRange(b, pos, pos + n);
            pos += n;
            return out;
        }
    }
}
