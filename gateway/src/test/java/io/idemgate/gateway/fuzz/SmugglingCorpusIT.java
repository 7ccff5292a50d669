package io.idemgate.gateway.fuzz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The known request-smuggling shapes as named regression cases, written from RFC 9112 (§6 message body
 * length, §7 chunked coding, §9.3 persistence, §11.2 request smuggling) and the published research on
 * CL.TE, TE.CL, TE.TE, CL.0 and hop-by-hop abuse. Each is sent raw to a gateway in front of the
 * {@link RecordingRawUpstream} and must satisfy the {@link GatewayContract} (the upstream parses exactly
 * what the gateway accepted, each answer on the connection that asked, nothing unanswered), plus the
 * case's own expectation: refused with 400 and nothing forwarded, or exactly n requests forwarded.
 * The cases marked "finding" were found by the differential fuzzer ({@link HttpDifferentialFuzzIT}).
 */
class SmugglingCorpusIT {

    private static final Duration DEADLINE = Duration.ofSeconds(6);
    private static final String H = "Host: a\r\n";
    private static final String SMUGGLED = "GET /pass/smuggled HTTP/1.1\r\nHost: a\r\n\r\n";

    @AutoClose
    private static FuzzBed bed;

    @BeforeAll
    static void start() throws Exception {
        bed = FuzzBed.start();
    }

    /** What the case must come to, beyond the contract. */
    private record Expect(int forwarded, boolean refuses) {
        static Expect refused() {
            return new Expect(0, true);
        }

        static Expect forwards(int n) {
            return new Expect(n, false);
        }

        /** Only the contract: the gateway may accept or refuse, but must agree with the upstream. */
        static Expect contract() {
            return new Expect(-1, false);
        }
    }

    private record Case(String raw, Expect expect) {
    }

    private static Named<Case> refused(String name, String raw) {
        return Named.of(name, new Case(raw, Expect.refused()));
    }

    private static Named<Case> forwards(String name, int n, String raw) {
        return Named.of(name, new Case(raw, Expect.forwards(n)));
    }

    private static Named<Case> contract(String name, String raw) {
        return Named.of(name, new Case(raw, Expect.contract()));
    }

    private static String post(String fields, String body) {
        return "POST /pass/x HTTP/1.1\r\n" + H + fields + "\r\n" + body;
    }

    private static String chunked(String body) {
        return post("Transfer-Encoding: chunked\r\n", body);
    }

    private static String te(String value) {
        return post("Transfer-Encoding: " + value + "\r\n", "5\r\nhello\r\n0\r\n\r\n");
    }

    private static String cl(String value) {
        return post("Content-Length: " + value + "\r\n", "hello");
    }

    private static String version(String v) {
        return "GET /pass/x " + v + "\r\n" + H + "\r\n";
    }

    static Stream<Named<Case>> cases() {
        List<Named<Case>> c = new ArrayList<>();
        // CL.TE and TE.CL: both framing headers; RFC 9112 §6.1 lets a server reject, and a proxy must.
        c.add(refused("CL.TE classic", post("Content-Length: 13\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\nSMUGGLED")));
        c.add(refused("CL.TE prefix G", post("Content-Length: 6\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\nG")));
        c.add(refused("TE.CL classic", post("Content-Length: 3\r\nTransfer-Encoding: chunked\r\n", "8\r\nSMUGGLED\r\n0\r\n\r\n")));
        c.add(refused("TE.CL with TE first", post("Transfer-Encoding: chunked\r\nContent-Length: 4\r\n", "5c\r\nGPOST / HTTP/1.1\r\n\r\n0\r\n\r\n")));
        c.add(refused("CL.TE with CL 0", post("Content-Length: 0\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n")));
        c.add(refused("CL.TE smuggling a whole request", post("Content-Length: " + (5 + SMUGGLED.length())
                + "\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n" + SMUGGLED)));
        // TE.TE: obfuscated Transfer-Encoding that one parser honours and another ignores.
        c.add(refused("TE.TE xchunked", te("xchunked")));
        c.add(refused("TE.TE chunk", te("chunk")));
        c.add(refused("TE.TE quoted", te("\"chunked\"")));
        c.add(refused("TE.TE chunked, identity", te("chunked, identity")));
        c.add(refused("TE.TE identity, chunked", te("identity, chunked")));
        c.add(refused("TE.TE gzip, chunked (finding)", te("gzip, chunked")));
        c.add(refused("TE.TE deflate,chunked (finding)", te("deflate,chunked")));
        c.add(refused("TE.TE chunked, chunked (finding)", te("chunked, chunked")));
        c.add(refused("TE.TE chunked with a parameter", te("chunked;q=1")));
        c.add(refused("TE.TE identity", post("Transfer-Encoding: identity\r\nContent-Length: 5\r\n", "hello")));
        c.add(refused("TE.TE empty value", post("Transfer-Encoding: \r\n", "5\r\nhello\r\n0\r\n\r\n")));
        c.add(refused("TE.TE two fields, second bogus", post("Transfer-Encoding: chunked\r\nTransfer-Encoding: x\r\n", "5\r\nhello\r\n0\r\n\r\n")));
        c.add(refused("TE.TE two fields, first bogus", post("Transfer-Encoding: x\r\nTransfer-Encoding: chunked\r\n", "5\r\nhello\r\n0\r\n\r\n")));
        c.add(refused("TE.TE two chunked fields (finding)", post("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", "5\r\nhello\r\n0\r\n\r\n")));
        c.add(refused("TE.TE space before colon", post("Transfer-Encoding : chunked\r\n", "5\r\nhello\r\n0\r\n\r\n")));
        c.add(refused("TE.TE tab before colon", post("Transfer-Encoding\t: chunked\r\n", "5\r\nhello\r\n0\r\n\r\n")));
        c.add(contract("TE.TE obs-fold value (unfolded, RFC 9112 §5.2)", post("Transfer-Encoding:\r\n chunked\r\n", "5\r\nhello\r\n0\r\n\r\n")));
        c.add(refused("TE.TE obs-fold after value", post("Transfer-Encoding: chunked\r\n x\r\n", "5\r\nhello\r\n0\r\n\r\n")));
        c.add(contract("TE.TE obs-fold hiding a field line in the one before", post("X-A: b\r\n Transfer-Encoding: chunked\r\n", "5\r\nhello\r\n0\r\n\r\n")));
        c.add(refused("TE.TE vertical tab", te("chunked\u000b")));
        c.add(refused("TE.TE non-breaking space", te("\u00a0chunked")));
        c.add(refused("TE.TE underscore name (finding)", post("Transfer_Encoding: chunked\r\nContent-Length: 5\r\n", "hello")));
        c.add(refused("TE in HTTP/1.0", "POST /pass/x HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"));
        c.add(forwards("TE Chunked in another case", 1, te("Chunked")));
        c.add(forwards("TE CHUNKED", 1, te("CHUNKED")));
        c.add(forwards("TE with a tab as OWS", 1, post("Transfer-Encoding:\tchunked\r\n", "5\r\nhello\r\n0\r\n\r\n")));
        c.add(forwards("TE with trailing OWS", 1, te("chunked \t")));
        c.add(forwards("TE name in lower case", 1, post("transfer-encoding: chunked\r\n", "5\r\nhello\r\n0\r\n\r\n")));
        // Content-Length: one decimal value, once.
        c.add(refused("CL twice, same value", post("Content-Length: 5\r\nContent-Length: 5\r\n", "hello")));
        c.add(refused("CL twice, differing", post("Content-Length: 5\r\nContent-Length: 6\r\n", "hello!")));
        c.add(refused("CL list", cl("5, 5")));
        c.add(refused("CL list differing", cl("5, 50")));
        c.add(refused("CL plus sign", cl("+5")));
        c.add(refused("CL negative", cl("-5")));
        c.add(refused("CL hex", cl("0x5")));
        c.add(refused("CL decimal point", cl("5.0")));
        c.add(refused("CL exponent", cl("5e0")));
        c.add(refused("CL 2^64+5", cl("18446744073709551621")));
        c.add(refused("CL empty", cl("")));
        c.add(refused("CL with a letter", cl("5a")));
        c.add(refused("CL space before colon", post("Content-Length : 5\r\n", "hello")));
        c.add(refused("CL underscore name (finding)", post("Content_Length: 5\r\n", "hello")));
        c.add(refused("CL underscore name, lower case (finding)", post("content_length: 5\r\n", "hello")));
        c.add(contract("CL obs-fold (unfolded)", post("Content-Length:\r\n 5\r\n", "hello")));
        c.add(refused("HTTP/1.0 CL twice, same value (finding)", "POST /pass/x HTTP/1.0\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello"));
        c.add(refused("HTTP/1.0 CL twice, differing (finding)", "POST /pass/x HTTP/1.0\r\nContent-Length: 5\r\nContent-Length: "
                + (5 + SMUGGLED.length()) + "\r\n\r\nhello" + SMUGGLED));
        c.add(forwards("CL with leading zeros", 1, cl("005")));
        c.add(forwards("CL with OWS", 1, cl(" 5 ")));
        c.add(forwards("CL on a GET", 1, "GET /pass/x HTTP/1.1\r\n" + H + "Content-Length: 5\r\n\r\nhello"));
        // CL.0: a body some back end would ignore and parse as the next request.
        c.add(forwards("CL.0 GET whose body is a request", 1, "GET /pass/x HTTP/1.1\r\n" + H + "Content-Length: "
                + SMUGGLED.length() + "\r\n\r\n" + SMUGGLED));
        c.add(forwards("CL.0 OPTIONS whose body is a request", 1, "OPTIONS /pass/x HTTP/1.1\r\n" + H + "Content-Length: "
                + SMUGGLED.length() + "\r\n\r\n" + SMUGGLED));
        c.add(forwards("CL.0 POST whose body is a request", 1, post("Content-Length: " + SMUGGLED.length() + "\r\n", SMUGGLED)));
        c.add(forwards("CL shorter than the embedded request: the rest is the next request", 2,
                post("Content-Length: 0\r\n", SMUGGLED)));
        c.add(forwards("chunked body that is a request", 1, chunked(Integer.toHexString(SMUGGLED.length()) + "\r\n" + SMUGGLED + "\r\n0\r\n\r\n")));
        // Connection naming a framing field (the probe's critical finding) or anything else.
        c.add(refused("Connection: Content-Length", "GET /pass/x HTTP/1.1\r\n" + H + "Connection: Content-Length\r\nContent-Length: "
                + SMUGGLED.length() + "\r\n\r\n" + SMUGGLED));
        c.add(refused("Connection: Transfer-Encoding", post("Connection: Transfer-Encoding\r\nTransfer-Encoding: chunked\r\n", "5\r\nhello\r\n0\r\n\r\n")));
        c.add(refused("Connection: host", "GET /pass/x HTTP/1.1\r\n" + H + "Connection: host\r\n\r\n"));
        c.add(refused("Connection: list naming content-length", post("Connection: keep-alive, x-a ,CONTENT-LENGTH\r\nContent-Length: 5\r\n", "hello")));
        c.add(refused("Connection: second field naming content-length", post("Connection: keep-alive\r\nConnection: content-length\r\nContent-Length: 5\r\n", "hello")));
        c.add(forwards("Connection: a custom option is stripped", 1, "GET /pass/x HTTP/1.1\r\n" + H + "Connection: x-a\r\nX-A: 1\r\n\r\n"));
        c.add(forwards("Connection: te, trailer, upgrade", 1, "GET /pass/x HTTP/1.1\r\n" + H + "Connection: te, trailer, upgrade\r\nTE: trailers\r\n\r\n"));
        c.add(forwards("Connection: close ends the pipeline", 1, "GET /pass/x HTTP/1.1\r\n" + H + "Connection: close\r\n\r\n" + SMUGGLED));
        // Chunk sizes and extensions (RFC 9112 §7.1).
        c.add(forwards("chunk size with leading zeros", 1, chunked("0005\r\nhello\r\n0\r\n\r\n")));
        c.add(forwards("chunk size in upper case hex", 1, chunked("A\r\nhelloworld\r\n0\r\n\r\n")));
        c.add(forwards("chunk extension token", 1, chunked("5;a=b\r\nhello\r\n0\r\n\r\n")));
        c.add(forwards("chunk extension quoted with a semicolon", 1, chunked("5;a=\"b;c\"\r\nhello\r\n0\r\n\r\n")));
        c.add(forwards("chunk extension on the last chunk", 1, chunked("5\r\nhello\r\n0;x=y\r\n\r\n")));
        c.add(refused("chunk size 0x-prefixed", chunked("0x5\r\nhello\r\n0\r\n\r\n")));
        c.add(refused("chunk size negative", chunked("-5\r\nhello\r\n0\r\n\r\n")));
        c.add(refused("chunk size with plus", chunked("+5\r\nhello\r\n0\r\n\r\n")));
        c.add(refused("chunk size overflowing 64 bits", chunked("10000000000000005\r\nhello\r\n0\r\n\r\n")));
        c.add(refused("chunk size not hex", chunked("g\r\nhello\r\n0\r\n\r\n")));
        c.add(refused("chunk size empty", chunked("\r\nhello\r\n0\r\n\r\n")));
        c.add(refused("chunk data longer than its size", chunked("3\r\nhello\r\n0\r\n\r\n")));
        c.add(refused("chunk data shorter than its size", chunked("8\r\nhello\r\n0\r\n\r\n" + SMUGGLED)));
        c.add(refused("chunk data not followed by CRLF", chunked("5\r\nhelloXX0\r\n\r\n")));
        c.add(refused("chunk extension with a bare LF", chunked("5;a\nhello\r\n0\r\n\r\n")));
        c.add(contract("chunk extension without a name (extensions are never forwarded)", chunked("5;\r\nhello\r\n0\r\n\r\n")));
        c.add(refused("chunk size line ending in a bare LF", chunked("5\nhello\r\n0\r\n\r\n")));
        c.add(refused("chunk data ending in a bare LF", chunked("5\r\nhello\n0\r\n\r\n")));
        c.add(refused("last chunk with no empty line, then a request", chunked("5\r\nhello\r\n0\r\n" + SMUGGLED)));
        // Trailers (RFC 9112 §7.1.2): never forwarded, and they must not reframe anything.
        c.add(forwards("trailer field", 1, chunked("5\r\nhello\r\n0\r\nX-T: v\r\n\r\n")));
        c.add(forwards("trailer naming Content-Length", 1, chunked("5\r\nhello\r\n0\r\nContent-Length: 50\r\n\r\n")));
        c.add(forwards("trailer naming Transfer-Encoding", 1, chunked("5\r\nhello\r\n0\r\nTransfer-Encoding: chunked\r\n\r\n")));
        c.add(forwards("trailer naming Host", 1, chunked("5\r\nhello\r\n0\r\nHost: evil\r\n\r\n")));
        c.add(contract("trailer with obs-fold", chunked("5\r\nhello\r\n0\r\nX-T: v\r\n w\r\n\r\n")));
        c.add(refused("trailer with a bare LF", chunked("5\r\nhello\r\n0\r\nX-T: v\n\r\n")));
        c.add(refused("trailer without a colon", chunked("5\r\nhello\r\n0\r\nX-T\r\n\r\n")));
        // Request line and versions.
        c.add(refused("HTTP/2.0 in a request line (finding)", version("HTTP/2.0")));
        c.add(refused("HTTP/0.9 in a request line (finding)", version("HTTP/0.9")));
        c.add(refused("HTTP/1.2", version("HTTP/1.2")));
        c.add(refused("HTTP/3.0", version("HTTP/3.0")));
        c.add(refused("HTTP/1.1 in lower case", version("http/1.1")));
        c.add(refused("HTTP/11", version("HTTP/11")));
        c.add(refused("no version (HTTP/0.9 simple request)", "GET /pass/x\r\n\r\n"));
        c.add(refused("two spaces after the method", "GET  /pass/x HTTP/1.1\r\n" + H + "\r\n"));
        c.add(forwards("tab between method and target (RFC 9112 §3 leniency, forwarded with SP)", 1, "GET\t/pass/x HTTP/1.1\r\n" + H + "\r\n"));
        c.add(refused("space inside the target", "GET /pass/x y HTTP/1.1\r\n" + H + "\r\n"));
        c.add(forwards("absolute-form target", 1, "GET http://a/pass/x HTTP/1.1\r\n" + H + "\r\n"));
        c.add(forwards("absolute-form target with another authority", 1, "GET http://b/pass/x?q=1 HTTP/1.1\r\n" + H + "\r\n"));
        c.add(refused("absolute-form target with userinfo", "GET http://u@a/pass/x HTTP/1.1\r\n" + H + "\r\n"));
        // Line endings, control characters, names.
        c.add(refused("request line ending in a bare LF", "GET /pass/x HTTP/1.1\n" + H + "\r\n"));
        c.add(refused("field line ending in a bare LF", "GET /pass/x HTTP/1.1\r\nHost: a\nX-A: b\r\n\r\n"));
        c.add(refused("head ending in CRLF LF", "GET /pass/x HTTP/1.1\r\n" + H + "\n"));
        c.add(refused("bare CR in a field value", "GET /pass/x HTTP/1.1\r\n" + H + "X-A: b\rc\r\n\r\n"));
        c.add(refused("NUL in a field value", "GET /pass/x HTTP/1.1\r\n" + H + "X-A: b\u0000c\r\n\r\n"));
        c.add(refused("field name with a space", "GET /pass/x HTTP/1.1\r\n" + H + "X A: b\r\n\r\n"));
        c.add(refused("Host twice", "GET /pass/x HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"));
        c.add(refused("HTTP/1.1 without Host", "GET /pass/x HTTP/1.1\r\n\r\n"));
        c.add(forwards("HTTP/1.0 without Host", 1, "GET /pass/x HTTP/1.0\r\n\r\n"));
        c.add(forwards("an empty line before the request line", 1, "\r\nGET /pass/x HTTP/1.1\r\n" + H + "\r\n"));
        c.add(forwards("an underscore in another field name", 1, "GET /pass/x HTTP/1.1\r\n" + H + "X_A: b\r\n\r\n"));
        // Pipelining: every request answered in order, nothing after a closing one.
        c.add(forwards("two pipelined GETs", 2, "GET /pass/1 HTTP/1.1\r\n" + H + "\r\nGET /pass/2 HTTP/1.1\r\n" + H + "\r\n"));
        c.add(forwards("POST by length then GET", 2, post("Content-Length: 5\r\n", "hello") + SMUGGLED));
        c.add(forwards("chunked POST then GET", 2, chunked("5\r\nhello\r\n0\r\n\r\n") + SMUGGLED));
        c.add(forwards("three, the second closing", 2, "GET /pass/1 HTTP/1.1\r\n" + H + "\r\nGET /pass/2 HTTP/1.1\r\n" + H
                + "Connection: close\r\n\r\n" + SMUGGLED));
        c.add(forwards("HTTP/1.0 then another request", 1, "GET /pass/1 HTTP/1.0\r\n\r\n" + SMUGGLED));
        c.add(forwards("a good request then a malformed one", 1, SMUGGLED + "GET /pass/2 HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab"));
        c.add(refused("a local 404 with close, then a request (finding)", "GET /nowhere HTTP/1.1\r\n" + H + "Connection: close\r\n\r\n" + SMUGGLED));
        c.add(refused("a local 400 then a request", "GET /pass/%2F HTTP/1.1\r\n" + H + "\r\n" + SMUGGLED));
        c.add(forwards("Expect: 100-continue with a body", 1, post("Expect: 100-continue\r\nContent-Length: 5\r\n", "hello")));
        // The deduplicated route reads bodies whole before forwarding: the same rules hold there.
        c.add(refused("CL.TE on a deduplicated route", "POST /v1/x HTTP/1.1\r\n" + H + "Authorization: Bearer t\r\nIdempotency-Key: k1\r\n"
                + "Content-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nG"));
        c.add(refused("TE gzip, chunked on a deduplicated route (finding)", "POST /v1/x HTTP/1.1\r\n" + H
                + "Authorization: Bearer t\r\nIdempotency-Key: k2\r\nTransfer-Encoding: gzip, chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"));
        c.add(forwards("chunked body that is a request, deduplicated route", 1, "POST /v1/x HTTP/1.1\r\n" + H
                + "Authorization: Bearer t\r\nIdempotency-Key: k3\r\nTransfer-Encoding: chunked\r\n\r\n"
                + Integer.toHexString(SMUGGLED.length()) + "\r\n" + SMUGGLED + "\r\n0\r\n\r\n"));
        return c.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void upstreamParsesExactlyWhatTheGatewayAccepted(Case c) {
        int before = bed.upstream().lastSeq();
        int unparsableBefore = bed.upstream().unparsable().size();
        ClientOutcome outcome = RawConnection.play(bed.port(), List.of(Bytes.of(c.raw())), DEADLINE);
        assertThat(bed.check(outcome)).as("%s", outcome).isEmpty();
        // A smuggled request reaches the upstream in the same bytes as the one it hid in: give it a moment.
        await().during(Duration.ofMillis(50)).atMost(Duration.ofSeconds(2))
                .untilAsserted(() -> assertThat(bed.unclaimed(before, bed.upstream().lastSeq())).as("%s", outcome).isEmpty());
        List<String> unparsable = bed.upstream().unparsable();
        assertThat(unparsable.subList(unparsableBefore, unparsable.size())).as("%s", outcome).isEmpty();
        long fromUpstream = outcome.answers().stream().filter(a -> a.upstreamSeq() != null).count();
        if (c.expect().refuses()) {
            assertThat(outcome.answers()).as("%s", outcome).isNotEmpty();
            assertThat(outcome.answers().get(0).status()).as("%s", outcome).isBetween(400, 499);
            assertThat(fromUpstream).as("%s", outcome).isZero();
            assertThat(outcome.ending()).as("%s", outcome).isNotEqualTo("deadline");
        } else if (c.expect().forwarded() >= 0) {
            assertThat(fromUpstream).as("%s", outcome).isEqualTo(c.expect().forwarded());
        }
    }
}
