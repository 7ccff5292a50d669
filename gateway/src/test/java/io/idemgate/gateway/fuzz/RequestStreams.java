package io.idemgate.gateway.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/**
 * Generates what one client connection sends: one to three valid requests (pass-through, deduplicated
 * or unrouted; no body, a Content-Length body or a chunked one), then a few mutations from the shapes
 * that make two HTTP parsers disagree — field-name case and whitespace, obs-fold, duplicate and
 * conflicting framing fields, Connection options naming anything, chunk sizes and extensions, trailers,
 * bare LF and CR, absolute-form targets, other versions, CGI-style names, bodies that are themselves
 * requests, a close in the middle of a pipeline — and cuts the bytes into one or more writes.
 * Every target carries the connection's tag ({@link #TAG}, filled in when played) so an answer can be
 * traced to the connection that asked.
 */
final class RequestStreams {

    /** Replaced by {@code c} and six digits, the same length, when the stream is played. */
    static final String TAG = "c??????";

    /** One generated connection: its writes and the names of the mutations applied. */
    record Generated(List<byte[]> writes, List<String> mutations) {

        /** The writes with this connection's tag filled in. */
        List<byte[]> tagged(int connection) {
            byte[] tag = String.format(Locale.ROOT, "c%06d", connection % 1_000_000).getBytes(StandardCharsets.ISO_8859_1);
            List<byte[]> out = new ArrayList<>(writes.size());
            for (byte[] w : writes) {
                byte[] copy = w.clone();
                for (int i = 0; i + tag.length <= copy.length; i++) {
                    if (copy[i] == 'c' && copy[i + 1] == '?' && matchesTag(copy, i)) {
                        System.arraycopy(tag, 0, copy, i, tag.length);
                    }
                }
                out.add(copy);
            }
            return out;
        }

        private static boolean matchesTag(byte[] b, int at) {
            for (int k = 0; k < TAG.length(); k++) {
                if (b[at + k] != TAG.charAt(k)) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public String toString() {
            return mutations + " \"" + Bytes.escape(RawConnection.concat(writes)) + "\"";
        }
    }

    private static final String[] METHODS = {"GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"};
    private static final String[] CONNECTION_OPTIONS = {"close", "keep-alive", "content-length", "Content-Length",
        "transfer-encoding", "host", "x-a", "te", "upgrade", "authorization", "idempotency-key", "via", "trailer",
        "x-forwarded-for", "content-type"};
    private static final String[] TE_VALUES = {"chunked", "Chunked", "CHUNKED", "chunked ", " chunked", "gzip, chunked",
        "chunked, chunked", "chunked, identity", "identity, chunked", "xchunked", "chunked;q=1", "\"chunked\"",
        "chunked,", ",chunked", "deflate", "identity", ""};
    private static final String[] VERSIONS = {"HTTP/1.0", "HTTP/0.9", "HTTP/2.0", "HTTP/1.2", "http/1.1", "HTTP/1.10",
        "HTTP/1", "HTTP/1.1 ", "HTTP/1.1"};
    private static final String[] TRAILERS = {"X-T: v", "Content-Length: 9", "Host: evil", "Transfer-Encoding: chunked",
        "Connection: close", "X-T: a\r\n b", "X-T:v", "Bad Name: x"};
    private static final String[] MUTATIONS = {"name-case", "ws-before-colon", "ws-in-value", "obs-fold", "duplicate-cl",
        "add-te", "connection", "chunk-size", "chunk-ext", "trailers", "bare-lf", "absolute-form", "version",
        "underscore-name", "body-is-request", "cl-value", "method", "host", "close-mid-pipeline", "control-char",
        "leading-empty-line", "expect"};

    private RequestStreams() {
    }

    static Arbitrary<Generated> streams() {
        return Arbitraries.randomValue(RequestStreams::generate);
    }

    /** A request being built: its parts stay editable until it is written out. */
    private static final class Msg {
        String method;
        String target;
        String version = "HTTP/1.1";
        final List<String> fields = new ArrayList<>();
        String body = "";
        boolean chunked;
        final List<String> chunkLines = new ArrayList<>(); // size lines, each followed by its data
        final List<String> chunkData = new ArrayList<>();
        final List<String> trailers = new ArrayList<>();
        boolean lengthField = true;

        String write() {
            StringBuilder b = new StringBuilder();
            b.append(method).append(' ').append(target).append(' ').append(version).append("\r\n");
            for (String f : fields) {
                b.append(f).append("\r\n");
            }
            b.append("\r\n");
            if (chunked) {
                for (int i = 0; i < chunkLines.size(); i++) {
                    b.append(chunkLines.get(i)).append("\r\n");
                    if (i < chunkData.size()) {
                        b.append(chunkData.get(i)).append("\r\n");
                    }
                }
                for (String t : trailers) {
                    b.append(t).append("\r\n");
                }
                b.append("\r\n");
            } else {
                b.append(body);
            }
            return b.toString();
        }

        void chunk(String data, Random r) {
            chunkLines.clear();
            chunkData.clear();
            int at = 0;
            while (at < data.length()) {
                int n = 1 + r.nextInt(Math.max(1, data.length() - at));
                chunkLines.add(Integer.toHexString(n));
                chunkData.add(data.substring(at, at + n));
                at += n;
            }
            chunkLines.add("0");
        }

        int fieldIndex(String name) {
            for (int i = 0; i < fields.size(); i++) {
                if (fields.get(i).regionMatches(true, 0, name + ":", 0, name.length() + 1)) {
                    return i;
                }
            }
            return -1;
        }
    }

    static Generated generate(Random r) {
        int n = 1 + r.nextInt(3);
        List<Msg> msgs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            msgs.add(base(r, i));
        }
        List<String> applied = new ArrayList<>();
        int mutations = r.nextInt(10) < 2 ? 0 : 1 + r.nextInt(3);
        List<String> byteMutations = new ArrayList<>();
        for (int k = 0; k < mutations; k++) {
            String m = MUTATIONS[r.nextInt(MUTATIONS.length)];
            Msg msg = msgs.get(r.nextInt(msgs.size()));
            if (msg.fields.isEmpty()) {
                msg.fields.add("X-B: 1"); // every field mutation needs a field to work on
            }
            if (m.equals("bare-lf") || m.equals("leading-empty-line")) {
                byteMutations.add(m);
            } else {
                mutate(m, msg, msgs, r);
            }
            applied.add(m);
        }
        StringBuilder all = new StringBuilder();
        for (Msg m : msgs) {
            all.append(m.write());
        }
        String s = all.toString();
        for (String m : byteMutations) {
            s = m.equals("bare-lf") ? bareLineEnd(s, r) : "\r\n" + s;
        }
        byte[] bytes = s.getBytes(StandardCharsets.ISO_8859_1);
        return new Generated(split(bytes, r), applied);
    }

    private static Msg base(Random r, int i) {
        Msg m = new Msg();
        int route = r.nextInt(20);
        if (route < 3) {
            m.method = "POST";
            m.target = "/v1/" + TAG + "/r" + i;
            m.fields.add("Host: a");
            m.fields.add("Authorization: Bearer t");
            m.fields.add("Idempotency-Key: " + TAG + "-" + i + "-" + Integer.toHexString(r.nextInt()));
            m.fields.add("Content-Type: application/json");
            m.body = "{\"n\":" + r.nextInt(1000) + "}";
        } else {
            m.method = METHODS[r.nextInt(METHODS.length)];
            m.target = (route == 3 ? "/nowhere/" : "/pass/") + TAG + "/r" + i + (r.nextBoolean() ? "?q=" + r.nextInt(100) : "");
            m.fields.add("Host: a");
            if (r.nextBoolean()) {
                m.fields.add("X-A: " + r.nextInt(1000));
            }
            int bodyKind = r.nextInt(3);
            m.body = bodyKind == 0 ? "" : text(r, 1 + r.nextInt(40));
            if (bodyKind == 0) {
                m.lengthField = false;
            }
        }
        if (r.nextInt(4) == 0 && !m.body.isEmpty()) {
            m.chunked = true;
            m.fields.add("Transfer-Encoding: chunked");
            m.chunk(m.body, r);
        } else if (m.lengthField) {
            m.fields.add("Content-Length: " + m.body.length());
        }
        return m;
    }

    private static void mutate(String kind, Msg m, List<Msg> all, Random r) {
        switch (kind) {
            case "name-case" -> {
                int i = r.nextInt(m.fields.size());
                String f = m.fields.get(i);
                int colon = f.indexOf(':');
                StringBuilder name = new StringBuilder();
                for (char ch : f.substring(0, Math.max(0, colon)).toCharArray()) {
                    name.append(r.nextBoolean() ? Character.toUpperCase(ch) : Character.toLowerCase(ch));
                }
                m.fields.set(i, name + f.substring(Math.max(0, colon)));
            }
            case "ws-before-colon" -> {
                int i = r.nextInt(m.fields.size());
                m.fields.set(i, m.fields.get(i).replaceFirst(":", r.nextBoolean() ? " :" : "\t:"));
            }
            case "ws-in-value" -> {
                int i = r.nextInt(m.fields.size());
                String ws = r.nextBoolean() ? " " : "\t";
                m.fields.set(i, r.nextBoolean() ? m.fields.get(i).replaceFirst(": ", ":" + ws + ws) : m.fields.get(i) + ws);
            }
            case "obs-fold" -> {
                int i = r.nextInt(m.fields.size());
                String f = m.fields.get(i);
                m.fields.set(i, r.nextBoolean() ? f.replaceFirst(": ", ":\r\n ") : f + "\r\n" + (r.nextBoolean() ? " " : "\t")
                        + (r.nextBoolean() ? "x" : "Transfer-Encoding: chunked"));
            }
            case "duplicate-cl" -> {
                int len = m.chunked ? 5 : m.body.length();
                String[] v = {String.valueOf(len), String.valueOf(len + 1), String.valueOf(Math.max(0, len - 1)), len + ", " + len, "0"};
                m.fields.add(r.nextInt(m.fields.size() + 1), "Content-Length: " + v[r.nextInt(v.length)]);
            }
            case "add-te" -> {
                String te = "Transfer-Encoding: " + TE_VALUES[r.nextInt(TE_VALUES.length)];
                if (!m.chunked && r.nextBoolean() && !m.body.isEmpty()) {
                    m.chunked = true;
                    m.chunk(m.body, r);
                    int cl = m.fieldIndex("Content-Length");
                    if (cl >= 0 && r.nextBoolean()) {
                        m.fields.remove(cl);
                    }
                }
                m.fields.add(r.nextInt(m.fields.size() + 1), te);
            }
            case "connection" -> {
                StringBuilder v = new StringBuilder();
                int k = 1 + r.nextInt(3);
                for (int j = 0; j < k; j++) {
                    v.append(j == 0 ? "" : r.nextBoolean() ? ", " : ",").append(CONNECTION_OPTIONS[r.nextInt(CONNECTION_OPTIONS.length)]);
                }
                m.fields.add(r.nextInt(m.fields.size() + 1), "Connection: " + v);
            }
            case "chunk-size" -> {
                if (m.chunked && !m.chunkLines.isEmpty()) {
                    int i = r.nextInt(m.chunkLines.size());
                    String size = m.chunkLines.get(i);
                    // An earlier mutation (an extension, a sign, padding) may already have changed this line:
                    // mutate only lines that are still a plain size.
                    if (!size.matches("[0-9a-fA-F]{1,15}")) {
                        break;
                    }
                    long n = Long.parseLong(size, 16);
                    String[] v = {"00" + size, size.toUpperCase(Locale.ROOT), "0x" + size, Long.toHexString(n + 1),
                        Long.toHexString(Math.max(0, n - 1)), size + " ", " " + size, "-" + size, "+" + size,
                        "1000000000000000" + size, "ffffffffffffffff" + size};
                    m.chunkLines.set(i, v[r.nextInt(v.length)]);
                }
            }
            case "chunk-ext" -> {
                if (m.chunked && !m.chunkLines.isEmpty()) {
                    int i = r.nextInt(m.chunkLines.size());
                    String[] v = {";a=b", ";a=\"x;y\"", ";", "; a", " ;a", ";a=", ";a=b;c", ";" + "e".repeat(200), ";a=\"\r\n\"", ";a\u0000"};
                    m.chunkLines.set(i, m.chunkLines.get(i) + v[r.nextInt(v.length)]);
                }
            }
            case "trailers" -> {
                if (m.chunked) {
                    m.trailers.add(TRAILERS[r.nextInt(TRAILERS.length)]);
                }
            }
            case "absolute-form" -> m.target = (r.nextBoolean() ? "http://a" : "http://b.example:8080") + m.target;
            case "version" -> m.version = VERSIONS[r.nextInt(VERSIONS.length)];
            case "underscore-name" -> {
                String[] v = {"Content_Length: " + m.body.length(), "Transfer_Encoding: chunked", "content_length: 0", "Host_: a"};
                m.fields.add(r.nextInt(m.fields.size() + 1), v[r.nextInt(v.length)]);
            }
            case "body-is-request" -> {
                String inner = r.nextBoolean()
                        ? "GET /pass/" + TAG + "/smuggled HTTP/1.1\r\nHost: a\r\n\r\n"
                        : "POST /pass/" + TAG + "/smuggled HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc";
                m.body = inner;
                int cl = m.fieldIndex("Content-Length");
                if (m.chunked) {
                    m.chunk(inner, r);
                } else {
                    int declared = r.nextInt(3) == 0 ? r.nextInt(inner.length() + 1) : inner.length();
                    if (cl >= 0) {
                        m.fields.set(cl, "Content-Length: " + declared);
                    } else {
                        m.fields.add("Content-Length: " + declared);
                    }
                }
            }
            case "cl-value" -> {
                int cl = m.fieldIndex("Content-Length");
                if (cl >= 0) {
                    int len = m.body.length();
                    String[] v = {"+" + len, "0" + len, " " + len, len + " ", len + "," + len, String.valueOf(len + 1),
                        String.valueOf(Math.max(0, len - 1)), Integer.toHexString(len) + "h", "-" + len, "", "18446744073709551616"};
                    m.fields.set(cl, "Content-Length: " + v[r.nextInt(v.length)]);
                }
            }
            case "method" -> {
                String[] v = {m.method.toLowerCase(Locale.ROOT), "GeT", "PROPFIND", "G\u0000T", "GET /x HTTP/1.1\r\nX:", "P OST"};
                m.method = v[r.nextInt(v.length)];
            }
            case "host" -> {
                int h = m.fieldIndex("Host");
                switch (r.nextInt(4)) {
                    case 0 -> m.fields.add("Host: b");
                    case 1 -> {
                        if (h >= 0) {
                            m.fields.remove(h);
                        }
                    }
                    case 2 -> m.fields.add("host: a");
                    default -> {
                        if (h >= 0) {
                            m.fields.set(h, "Host: u@a");
                        }
                    }
                }
            }
            case "close-mid-pipeline" -> all.get(0).fields.add("Connection: close");
            case "control-char" -> {
                int i = r.nextInt(m.fields.size());
                char[] v = {'\u0000', '\u007f', '\u000b', '\u000c', '\r', '\u001b'};
                m.fields.set(i, m.fields.get(i) + v[r.nextInt(v.length)] + "x");
            }
            case "expect" -> {
                if (!m.body.isEmpty()) {
                    m.fields.add("Expect: 100-continue");
                }
            }
            default -> throw new IllegalStateException(kind);
        }
    }

    /** Replaces one CRLF with a bare LF or a bare CR. */
    private static String bareLineEnd(String s, Random r) {
        List<Integer> at = new ArrayList<>();
        for (int i = s.indexOf("\r\n"); i >= 0; i = s.indexOf("\r\n", i + 2)) {
            at.add(i);
        }
        if (at.isEmpty()) {
            return s;
        }
        int i = at.get(r.nextInt(at.size()));
        return s.substring(0, i) + (r.nextInt(3) == 0 ? "\r" : "\n") + s.substring(i + 2);
    }

    private static List<byte[]> split(byte[] bytes, Random r) {
        List<byte[]> out = new ArrayList<>();
        int pieces = r.nextInt(3) == 0 ? 1 + r.nextInt(4) : 1;
        int at = 0;
        for (int p = 1; p < pieces && at < bytes.length; p++) {
            int cut = at + 1 + r.nextInt(Math.max(1, bytes.length - at));
            cut = Math.min(cut, bytes.length);
            out.add(java.util.Arrays.copyOfRange(bytes, at, cut));
            at = cut;
        }
        if (at < bytes.length) {
            out.add(java.util.Arrays.copyOfRange(bytes, at, bytes.length));
        }
        return out;
    }

    private static String text(Random r, int n) {
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789 {}\":,\r\n";
        StringBuilder b = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            b.append(alphabet.charAt(r.nextInt(alphabet.length())));
        }
        return b.toString();
    }
}
