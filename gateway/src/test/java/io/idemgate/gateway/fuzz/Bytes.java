package io.idemgate.gateway.fuzz;

import java.nio.charset.StandardCharsets;

/** Shows raw protocol bytes in a failure message: printable ASCII as is, everything else escaped. */
final class Bytes {

    private Bytes() {
    }

    static byte[] of(String latin1) {
        return latin1.getBytes(StandardCharsets.ISO_8859_1);
    }

    static String escape(byte[] b) {
        return escape(new String(b, StandardCharsets.ISO_8859_1));
    }

    static String escape(String s) {
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '\r' -> out.append("\\r");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (ch < 0x20 || ch >= 0x7f) {
                        out.append(String.format("\\x%02x", (int) ch));
                    } else {
                        out.append(ch);
                    }
                }
            }
        }
        return out.toString();
    }
}
