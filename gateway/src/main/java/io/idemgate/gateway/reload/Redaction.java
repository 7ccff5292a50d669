package io.idemgate.gateway.reload;

import java.util.regex.Pattern;

/**
 * Takes secrets out of config problem messages before they leave the process in an admin answer or a log
 * line: the password part of URIs ({@code redis://:secret@host}) and the value of any token or password key.
 * The file, line and key stay, since those are what the operator needs.
 */
final class Redaction {

    private static final Pattern USER_INFO = Pattern.compile("(?i)\\b([a-z][a-z0-9+.-]*://)[^/@\\s\"']*@");
    private static final Pattern SECRET_VALUE = Pattern.compile(
            "(?im)^(.*\\.[\\w-]*(?:token|password|secret)[\\w-]*: .*?) \\(got .*\\)$");

    private Redaction() {
    }

    static String redact(String text) {
        String s = USER_INFO.matcher(text).replaceAll("$1***@");
        return SECRET_VALUE.matcher(s).replaceAll("$1 (value hidden)");
    }
}
