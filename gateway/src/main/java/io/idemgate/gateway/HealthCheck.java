package io.idemgate.gateway;

import io.idemgate.gateway.config.AdminConfig;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * {@code --health-check [URL]}: one GET to a running gateway's admin {@code /healthz}, for container
 * health checks in images that carry no curl. Exit code 0 on {@code 200}, 1 on anything else, within
 * {@link #TIMEOUT}. Runs on the caller's thread and starts no gateway.
 */
final class HealthCheck {

    static final URI DEFAULT_URL = URI.create("http://127.0.0.1:9090/healthz");
    static final Duration TIMEOUT = Duration.ofSeconds(2);

    private HealthCheck() {
    }

    /**
     * The {@code /healthz} URL of the admin listener a config describes. A wildcard bind address is
     * probed on loopback, where every interface-wide listener also answers.
     */
    static URI urlFor(AdminConfig admin) {
        String host = admin.host();
        if (host.isEmpty() || host.equals("0.0.0.0")) {
            host = "127.0.0.1";
        } else if (host.equals("::") || host.equals("[::]")) {
            host = "[::1]";
        } else if (host.indexOf(':') >= 0 && !host.startsWith("[")) {
            host = "[" + host + "]"; // an IPv6 literal
        }
        return URI.create("http://" + host + ":" + admin.port() + "/healthz");
    }

    /** @return 0 when {@code url} answered {@code 200} within {@code timeout}, else 1 (the reason on {@code err}) */
    static int probe(URI url, Duration timeout, PrintStream err) {
        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(timeout)
                .build();
        try {
            HttpRequest request = HttpRequest.newBuilder(url).timeout(timeout).GET().build();
            int status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status == 200) {
                return 0;
            }
            err.println("unhealthy: " + url + " answered " + status);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("unhealthy: " + url + " interrupted");
        } catch (Exception e) {
            // Connection refused, timeout, a non-HTTP URL or peer: all mean "not healthy".
            err.println("unhealthy: " + url + ": " + e);
        }
        return 1;
    }
}
