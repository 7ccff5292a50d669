package io.idemgate.gateway.idempotency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class FingerprinterTest {

    private static final String JSON = "application/json";
    private final Fingerprinter plain = new Fingerprinter(new FingerprintPolicy(List.of(), false, List.of()));
    private final Fingerprinter json = new Fingerprinter(new FingerprintPolicy(List.of(), true, List.of("/sent_at")));

    /** Case-insensitive multi-map lookup, as the exchange builds from the request headers. */
    private static Function<String, List<String>> headers(String... nameValuePairs) {
        Map<String, List<String>> map = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (int i = 0; i < nameValuePairs.length; i += 2) {
            map.computeIfAbsent(nameValuePairs[i], n -> new ArrayList<>()).add(nameValuePairs[i + 1]);
        }
        return name -> map.getOrDefault(name, List.of());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void sameRequestSameHash() {
        String a = json.fingerprint("POST", "/v1/pay", headers(), bytes("{\"a\":1}"), JSON);
        String b = json.fingerprint("POST", "/v1/pay", headers(), bytes("{\"a\":1}"), JSON);
        assertThat(a).isEqualTo(b).hasSize(64).matches("[0-9a-f]{64}");
    }

    @Test
    void methodPathAndQueryMatter() {
        String base = plain.fingerprint("POST", "/v1/pay?x=1", headers(), bytes("b"), null);
        assertThat(plain.fingerprint("PUT", "/v1/pay?x=1", headers(), bytes("b"), null)).isNotEqualTo(base);
        assertThat(plain.fingerprint("POST", "/v1/pay?x=2", headers(), bytes("b"), null)).isNotEqualTo(base);
        assertThat(plain.fingerprint("POST", "/v1/pay", headers(), bytes("b"), null)).isNotEqualTo(base);
        assertThat(plain.fingerprint("POST", "/v1/pay?x=1", headers(), bytes("c"), null)).isNotEqualTo(base);
    }

    @Test
    void partsCannotShiftIntoEachOther() {
        assertThat(plain.fingerprint("POST", "/ab", headers(), bytes("c"), null))
                .isNotEqualTo(plain.fingerprint("POST", "/a", headers(), bytes("bc"), null));
    }

    @Test
    void headersNotConfiguredAreIgnored() {
        String a = plain.fingerprint("POST", "/p", headers("X-Request-Id", "1", "Accept", "a", "User-Agent", "u"),
                bytes("b"), null);
        String b = plain.fingerprint("POST", "/p", headers("User-Agent", "v", "X-Request-Id", "2"), bytes("b"), null);
        assertThat(a).isEqualTo(b);
    }

    @Test
    void configuredHeaderValuesMatterAndNamesAreCaseInsensitive() {
        Fingerprinter fp = new Fingerprinter(new FingerprintPolicy(List.of("X-Account", "Content-Currency"), false, List.of()));
        String base = fp.fingerprint("POST", "/p", headers("x-account", "42", "content-currency", "EUR"), bytes("b"), null);
        assertThat(fp.fingerprint("POST", "/p", headers("Content-Currency", "EUR", "X-ACCOUNT", "42"), bytes("b"), null))
                .isEqualTo(base);
        assertThat(fp.fingerprint("POST", "/p", headers("X-Account", "43", "Content-Currency", "EUR"), bytes("b"), null))
                .isNotEqualTo(base);
        assertThat(fp.fingerprint("POST", "/p", headers("X-Account", "42"), bytes("b"), null)).isNotEqualTo(base);
        assertThat(fp.fingerprint("POST", "/p", headers("X-Account", "42", "Content-Currency", ""), bytes("b"), null))
                .isNotEqualTo(fp.fingerprint("POST", "/p", headers("X-Account", "42"), bytes("b"), null));
    }

    @Test
    void reserialisedJsonMatchesAndIgnoredFieldsDoNotCount() {
        String a = json.fingerprint("POST", "/p", headers(), bytes("{\"amount\":10.0,\"to\":\"x\",\"sent_at\":1}"), JSON);
        String b = json.fingerprint("POST", "/p", headers(),
                bytes("{ \"sent_at\": 2, \"to\": \"\\u0078\", \"amount\": 1e1 }"), "application/json; charset=utf-8");
        assertThat(a).isEqualTo(b);
        assertThat(json.fingerprint("POST", "/p", headers(), bytes("{\"amount\":11,\"to\":\"x\"}"), JSON)).isNotEqualTo(a);
    }

    @Test
    void jsonIsRecognisedWithoutOrWithAnyJsonContentType() {
        String canonical = json.fingerprint("POST", "/p", headers(), bytes("{\"b\":1,\"a\":2}"), JSON);
        for (String type : new String[] {null, "application/merge-patch+json", "APPLICATION/VND.API+JSON"}) {
            assertThat(json.fingerprint("POST", "/p", headers(), bytes("{\"a\":2, \"b\":1}"), type)).as(type).isEqualTo(canonical);
        }
        assertThat(json.fingerprint("POST", "/p", headers(), bytes("{\"a\":2, \"b\":1}"), "text/plain")).isNotEqualTo(canonical);
    }

    @Test
    void jsonFalseHashesRawBytes() {
        assertThat(plain.fingerprint("POST", "/p", headers(), bytes("{\"a\":1,\"b\":2}"), JSON))
                .isNotEqualTo(plain.fingerprint("POST", "/p", headers(), bytes("{\"b\":2,\"a\":1}"), JSON));
    }

    @Test
    void bodyThatIsNotJsonIsHashedRaw() {
        String a = json.fingerprint("POST", "/p", headers(), bytes("{not json"), JSON);
        assertThat(a).isEqualTo(json.fingerprint("POST", "/p", headers(), bytes("{not json"), JSON))
                .isNotEqualTo(json.fingerprint("POST", "/p", headers(), bytes("{not  json"), JSON));
        String deep = "[".repeat(10_000) + "]".repeat(10_000); // beyond Jackson's own limit: still refused
        assertThat(json.fingerprint("POST", "/p", headers(), bytes(deep), JSON)).isNull();
    }

    @Test
    void missingAndEmptyBodyAreTheSame() {
        assertThat(json.fingerprint("POST", "/p", headers(), null, null))
                .isEqualTo(json.fingerprint("POST", "/p", headers(), new byte[0], JSON));
    }

    @Test
    void aRootIgnorePointerIsRefused() {
        assertThatThrownBy(() -> new FingerprintPolicy(List.of(), true, List.of("")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new FingerprintPolicy(List.of(), true, List.of("x")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void threadsDoNotShareDigestState() throws Exception {
        byte[] body = bytes("{\"amount\":10}");
        String expected = json.fingerprint("POST", "/p", headers(), body, JSON);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<String>> tasks = new ArrayList<>();
            for (int i = 0; i < 2000; i++) {
                int n = i;
                tasks.add(() -> n % 2 == 0
                        ? json.fingerprint("POST", "/p", headers(), body, JSON)
                        : ScopeHasher.hash(List.of("Authorization"), headers("Authorization", "x" + n)).toUpperCase(Locale.ROOT));
            }
            List<Future<String>> results = pool.invokeAll(tasks);
            for (int i = 0; i < results.size(); i += 2) {
                assertThat(results.get(i).get()).isEqualTo(expected);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @org.junit.jupiter.api.Test
    void jsonNestedDeeperThanTheLimitIsRefusedAndNotJsonIsHashedRaw() {
        Fingerprinter shallow = new Fingerprinter(new FingerprintPolicy(List.of(), true, List.of(), 8));
        byte[] eight = ("[".repeat(8) + "]".repeat(8)).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] nine = ("[".repeat(9) + "]".repeat(9)).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertThat(shallow.fingerprint("POST", "/x", n -> List.of(), eight, "application/json")).isNotNull();
        assertThat(shallow.fingerprint("POST", "/x", n -> List.of(), nine, "application/json")).isNull();
        assertThat(shallow.fingerprint("POST", "/x", n -> List.of(), "{not json".getBytes(), "application/json")).isNotNull();
        Fingerprinter byDefault = new Fingerprinter(new FingerprintPolicy(List.of(), true, List.of()));
        byte[] deep = ("[".repeat(257) + "]".repeat(257)).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertThat(byDefault.fingerprint("POST", "/x", n -> List.of(), deep, null)).isNull();
    }
}
