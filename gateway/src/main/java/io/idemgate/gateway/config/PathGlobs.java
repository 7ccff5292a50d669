package io.idemgate.gateway.config;

/**
 * Syntax of {@code match.path}: {@code *} matches one segment, {@code **} any number of segments.
 * Must accept exactly what {@code route.PathGlob} compiles.
 */
final class PathGlobs {

    private PathGlobs() {
    }

    /** @return what is wrong with {@code glob}, or null when it is valid */
    static String check(String glob) {
        if (!glob.startsWith("/")) {
            return "must start with /";
        }
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '?' || c == '#' || c <= ' ' || c >= 0x7f) {
                return "must be a plain path without query, fragment, spaces or non-ASCII characters";
            }
        }
        for (String segment : glob.substring(1).split("/", -1)) {
            if (segment.contains("*") && !segment.equals("*") && !segment.equals("**")) {
                return "* and ** must be whole path segments, as in /v1/*/items or /v1/**";
            }
        }
        return null;
    }
}
