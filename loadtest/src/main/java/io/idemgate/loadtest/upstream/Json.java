package io.idemgate.loadtest.upstream;

/** Just enough JSON writing for the demo upstream's answers, so the module needs no JSON library. */
final class Json {

    private Json() {
    }

    /** The JSON string literal for {@code s}, or {@code null}. */
    static String quote(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    /**
     * Pads a JSON object to at least {@code targetBytes} (ASCII bodies) with a {@code "padding"} field,
     * or trailing spaces when the field does not fit; the result stays valid JSON.
     */
    static String pad(String jsonObject, int targetBytes) {
        int missing = targetBytes - jsonObject.length();
        if (missing <= 0) {
            return jsonObject;
        }
        String field = ",\"padding\":\"\"";
        if (missing < field.length() || !jsonObject.endsWith("}")) {
            return jsonObject + " ".repeat(missing);
        }
        return jsonObject.substring(0, jsonObject.length() - 1) + field.substring(0, field.length() - 1)
                + "x".repeat(missing - field.length()) + "\"}";
    }
}
