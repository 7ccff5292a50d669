package io.idemgate.gateway.idempotency;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fingerprints pinned as the first release computed them. Running gateways have stored these in Redis, so
 * any change here turns in-flight retries into 422s: a failing case means the change must not ship (or
 * needs a new fingerprint version), never that the expected value should be updated.
 */
class FingerprintGoldenTest {

    private static final Fingerprinter JSON =
            new Fingerprinter(new FingerprintPolicy(List.of("Authorization"), true, List.of()));
    private static final Fingerprinter IGNORING = new Fingerprinter(new FingerprintPolicy(List.of(), true,
            List.of("/meta/sent_at", "/items/1", "/items/0/ts", "/a~1b")));
    private static final Map<String, List<String>> HEADERS = Map.of("authorization", List.of("Bearer x"));
    private static final Function<String, List<String>> HEADER_VALUES = name -> HEADERS.getOrDefault(name, List.of());

    static List<Arguments> pinned() {
        return List.of(
                Arguments.of("payment",
                        "{\"amount\":1999,\"currency\":\"EUR\",\"customer\":\"cus_8f2a91c3\",\"metadata\":{\"source\":"
                                + "\"checkout\",\"attempt\":1},\"capture\":true,\"created\":1764230400}",
                        "c0f8b96b06f3957f0f1fcbe3a86d7bd13ab3451c6f6c846cc79a24c58875bbd7",
                        "124df8aa9471fb3d88a00d23dae8390b322f855424c685fe1eea2282cf1d49f3"),
                Arguments.of("numbers, escapes, key order by UTF-16 unit",
                        "{\"z\":[1,1.0,-0,0.000,1e3,1.5e2,-2.50,123456789012345678901,12345678901234567890123,1e22,"
                                + "0.000001,1e-7,1e999999999],\"a\":{\"y\":null,\"x\":[true,false]},\"\\u00e9\":\"caf\\u00e9 "
                                + "\\u20ac \\ud83d\\ude00 \\ud800 \\/ \\\" \\\\ \\b\\f\\n\\r\\t \\u0001 \\u007f\",\"\\uff61\":1,"
                                + "\"\\ud83d\\ude00\":2,\"a\":3}",
                        "872f421c3bbfda90432a857d0756dbcb875dc436959f98da7fc7c3f9771d23fc",
                        "a32d9b2d54bd8ad8aba0b5974cda34f1bbc1a1780a0c17df8668f605b57483c7"),
                Arguments.of("ignored members and elements, duplicate key",
                        "{\"items\":[{\"ts\":1,\"v\":2},{\"ts\":3,\"v\":4},{\"ts\":5,\"v\":6}],\"meta\":{\"client\":\"c\","
                                + "\"sent_at\":\"t\"},\"a/b\":1,\"dup\":1,\"dup\":2}",
                        "e42c6eb0f3157f45195149325e0885962272e6b1a0b667e2f1b14096377eb7e3",
                        "6389ecac8b497b3cf3d14b40573493b44bd2839ed0e3f66e7c161232395abadb"),
                Arguments.of("array root", "[\"x\", 1, {\"b\": [], \"a\": {}}]",
                        "44580ae38aedb59059fc5aa014c1424a3688f3bc71d80aa4de325dcbabbd30d7",
                        "b7b62979e533a6c1b2ffc28ab09055dd6ebb7af22e7bfa54c9c9b54b1c0eda1b"),
                Arguments.of("not JSON: raw bytes", "{not json",
                        "36d421971444e47393d729bb840924aa799034334fcb46531ff2a5e0dedc2ed4",
                        "b7c670a51e3a28a61605a9c7a398295222abd966d6c05cb9e93da05d1bde8ea4"),
                // Hashed as raw bytes while the depth limit was a fixed 128; canonical since
                // fingerprint.max-json-depth (default 256), and a deeper body is refused instead.
                Arguments.of("nested 129 deep: canonical", "[".repeat(129) + "]".repeat(129),
                        "9d336fd2f1cf712c898aee530a508f56e2f9c7da04bbb6acc440153627c0653a",
                        "e98e9fb6a7382402705c384071c7d9d56e6666516fbd8db86605d10e39b22a8f"),
                Arguments.of("string root", "\"just a string\"",
                        "aa7fe09079469faa03f42e2c100735ffbb245f2bf39530ed5ef2527b3d759a91",
                        "4f73316b3ec895ed141e93ee66154989237b7a48c2448ecf695197b4254ec2da"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pinned")
    void fingerprintsNeverChange(String name, String body, String withHeader, String withIgnoredFields) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        assertThat(JSON.fingerprint("POST", "/v1/pay?x=1", HEADER_VALUES, bytes, "application/json")).isEqualTo(withHeader);
        assertThat(IGNORING.fingerprint("POST", "/v1/pay?x=1", HEADER_VALUES, bytes, null)).isEqualTo(withIgnoredFields);
    }
}
