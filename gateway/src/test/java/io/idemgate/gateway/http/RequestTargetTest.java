package io.idemgate.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RequestTargetTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "/v1/orders,                 /v1/orders",
        "/,                          /",
        "/pass/../v1/x,              /v1/x",
        "/pass/%2e%2e/v1/x,          /v1/x",
        "/pass/%2E%2E/v1/x,          /v1/x",
        "/v1/./x,                    /v1/x",
        "/v1/x/.,                    /v1/x/",
        "/v1/x/..,                   /v1/",
        "/v1//x,                     /v1//x",
        "/v1/%78%2D%5f%7e,           /v1/x-_~",
        "/v1/%c3%a9,                 /v1/%C3%A9",
        "/v1/a%20b,                  /v1/a%20b",
        "/v1/file.json,              /v1/file.json",
        "/v1/.hidden,                /v1/.hidden",
        "/v1/..x,                    /v1/..x",
    })
    void pathIsNormalised(String raw, String normalised) {
        assertThat(RequestTarget.parse(raw).path()).isEqualTo(normalised);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "/v1/%2f/x", "/v1/%2F", "/v1/%5c", "/v1\\x", "/v1/\u0000", "/v1/%00", "/v1/%1b", "/v1/%7f",
        "/v1/\u007f", "/v1/a b", "/v1/\u00e9", "/..", "/v1/../../x", "/%2e%2e/x", "/v1/x#frag",
        "/v1/%zz", "/v1/%4", "*", "example.com:443", "ftp://h/x", "http://user@h/x", "http://u:p@h/x",
        "http:///x", "http://h h/x", "/v1/x?a=\u0001", "/v1/x?a#b", "",
    })
    void hostileTargetsAreRefused(String raw) {
        assertThatThrownBy(() -> RequestTarget.parse(raw)).isInstanceOf(RequestTarget.InvalidTargetException.class);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "http://api.example/v1/x?q=1,   api.example,      /v1/x?q=1",
        "HTTP://api.example:8080,       api.example:8080, /",
        "https://[::1]:8443/a/../b,     [::1]:8443,       /b",
        "http://api.example?q,          api.example,      /?q",
    })
    void absoluteFormKeepsItsAuthorityAndNormalisesItsPath(String raw, String authority, String uri) {
        RequestTarget t = RequestTarget.parse(raw);
        assertThat(t.authority()).isEqualTo(authority);
        assertThat(t.uri()).isEqualTo(uri);
    }

    @org.junit.jupiter.api.Test
    void queryIsKeptAsSentAfterTheNormalisedPath() {
        assertThat(RequestTarget.parse("/a/./b?x=%2F..&y=1").uri()).isEqualTo("/a/b?x=%2F..&y=1");
    }
}
