package io.idemgate.loadtest.load;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * After the run: asks the ledger upstream how often each key executed (in batches, through
 * {@code GET /stats/executions?key=..&key=..}) and checks that every key answered successfully ran
 * exactly once, no key ran twice, and every successful answer for a key was byte for byte the first.
 * With {@code --allow-reexecution} keys that ran more than once are counted instead of failing the check.
 * Runs on the caller's thread, after the event loop has stopped.
 */
final class ExactlyOnceVerifier {

    static final int MAX_EXAMPLES = 20;
    /** The ledger's HTTP codec accepts request lines up to 4096 bytes. */
    private static final int MAX_URI_CHARS = 3_800;
    private static final Pattern ENTRY = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\":(\\d+)");

    private final LoadOptions options;
    /** Only with a ledger: building one loads the TLS machinery, seconds on a busy machine. */
    private final HttpClient client;

    ExactlyOnceVerifier(LoadOptions options) {
        this.options = options;
        this.client = options.ledger() == null ? null : HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** @param planned every key planned; those never sent (dropped, or still queued at the deadline) are skipped */
    Verification verify(Collection<KeyBook.KeyState> planned, PrintStream out) {
        List<KeyBook.KeyState> keys = planned.stream().filter(k -> k.sent > 0).toList();
        Map<String, Long> executions = new HashMap<>();
        long unreachable = 0;
        if (options.ledger() != null) {
            long t0 = System.nanoTime();
            List<KeyBook.KeyState> batch = new ArrayList<>();
            int uriChars = 0;
            for (KeyBook.KeyState k : keys) {
                batch.add(k);
                uriChars += k.key.length() + 5;
                if (uriChars >= MAX_URI_CHARS - 100) {
                    unreachable += fetch(batch, executions);
                    batch.clear();
                    uriChars = 0;
                }
            }
            unreachable += fetch(batch, executions);
            out.printf("verified %d keys against the ledger in %.1f s%n", keys.size(), (System.nanoTime() - t0) / 1e9);
        }
        long violations = 0;
        long reexecuted = 0;
        long extra = 0;
        List<String> examples = new ArrayList<>();
        for (KeyBook.KeyState k : keys) {
            Long executed = executions.get(k.key);
            if (executed != null && executed > 1) {
                reexecuted++;
                extra += executed - 1;
            }
            String problem = problem(k, executed, options.allowReexecution());
            if (problem != null) {
                violations++;
                if (examples.size() < MAX_EXAMPLES) {
                    examples.add(problem);
                }
            }
        }
        return new Verification(keys.size(), options.ledger() != null, violations, examples, unreachable,
                reexecuted, extra, options.allowReexecution());
    }

    /**
     * @param executed          null when not known (no ledger, or the ledger could not be asked)
     * @param allowReexecution  a key executed more than once is counted, not a violation, and so are its
     *                          differing answers (each execution answered with its own body)
     */
    static String problem(KeyBook.KeyState k, Long executed, boolean allowReexecution) {
        boolean reexecuted = executed != null && executed > 1;
        if (reexecuted && allowReexecution) {
            return null;
        }
        List<String> issues = new ArrayList<>();
        if (reexecuted) {
            issues.add("executed " + executed + " times");
        }
        if (executed != null && executed == 0 && k.successes > 0) {
            issues.add("answered 2xx but never executed");
        }
        if (k.differingResponses > 0) {
            issues.add(k.differingResponses + " of " + k.successes + " 2xx responses differed from the first");
        }
        return issues.isEmpty() ? null
                : k.key + ": " + String.join(", ", issues) + " (sent " + k.sent + ", 2xx " + k.successes + ")";
    }

    /** @return how many keys of the batch could not be asked about */
    private int fetch(List<KeyBook.KeyState> batch, Map<String, Long> executions) {
        if (batch.isEmpty()) {
            return 0;
        }
        StringBuilder uri = new StringBuilder(options.ledger().toString().replaceAll("/+$", "")).append("/stats/executions?");
        for (int i = 0; i < batch.size(); i++) {
            uri.append(i == 0 ? "" : "&").append("key=").append(URLEncoder.encode(batch.get(i).key, StandardCharsets.UTF_8));
        }
        try {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(uri.toString()))
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                return batch.size();
            }
            Matcher m = ENTRY.matcher(r.body());
            while (m.find()) {
                executions.put(m.group(1), Long.parseLong(m.group(2)));
            }
            return (int) batch.stream().filter(k -> !executions.containsKey(k.key)).count();
        } catch (IOException e) {
            return batch.size();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return batch.size();
        }
    }
}
