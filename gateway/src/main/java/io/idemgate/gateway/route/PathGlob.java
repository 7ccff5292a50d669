package io.idemgate.gateway.route;

import java.util.Arrays;

/**
 * A path pattern made of literal segments, {@code *} (exactly one segment) and {@code **} (any number of
 * segments, including none). Matching walks the request path in place, allocating nothing.
 */
public final class PathGlob {

    private static final String ONE = "*";
    private static final String ANY = "**";

    private final String pattern;
    private final String[] segments;

    private PathGlob(String pattern, String[] segments) {
        this.pattern = pattern;
        this.segments = segments;
    }

    /** @throws IllegalArgumentException if the pattern does not start with '/' or uses '**' inside a segment */
    public static PathGlob compile(String pattern) {
        if (pattern == null || !pattern.startsWith("/")) {
            throw new IllegalArgumentException("path pattern must start with '/'");
        }
        String[] segments = pattern.substring(1).split("/", -1);
        for (String s : segments) {
            if (s.contains("*") && !s.equals(ONE) && !s.equals(ANY)) {
                throw new IllegalArgumentException("'*' and '**' must be whole path segments, not part of '" + s + "'");
            }
        }
        return new PathGlob(pattern, segments);
    }

    /** @param path the request path without query, starting with '/' */
    public boolean matches(String path) {
        if (path.isEmpty() || path.charAt(0) != '/') {
            return false;
        }
        return matchFrom(0, path, 1);
    }

    private boolean matchFrom(int seg, String path, int pos) {
        if (seg == segments.length) {
            return pos > path.length();
        }
        String want = segments[seg];
        if (want.equals(ANY)) {
            if (seg == segments.length - 1) {
                return true;
            }
            // Try every split point: '**' swallows zero or more whole segments.
            for (int p = pos; p <= path.length(); p = nextSegment(path, p)) {
                if (matchFrom(seg + 1, path, p)) {
                    return true;
                }
            }
            return false;
        }
        if (pos > path.length()) {
            return false;
        }
        int end = segmentEnd(path, pos);
        boolean ok = want.equals(ONE)
                ? end > pos
                : end - pos == want.length() && path.regionMatches(pos, want, 0, want.length());
        return ok && matchFrom(seg + 1, path, end + 1);
    }

    private static int segmentEnd(String path, int pos) {
        int slash = path.indexOf('/', pos);
        return slash < 0 ? path.length() : slash;
    }

    private static int nextSegment(String path, int pos) {
        return segmentEnd(path, pos) + 1;
    }

    public String pattern() {
        return pattern;
    }

    @Override
    public String toString() {
        return pattern + " " + Arrays.toString(segments);
    }
}
