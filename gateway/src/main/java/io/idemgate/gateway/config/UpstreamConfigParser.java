package io.idemgate.gateway.config;

import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Builds {@link UpstreamConfig} from a route's {@code upstream} block merged over the defaults.
 * URLs are normalised to {@code scheme://host:port} (port made explicit) so the client never guesses.
 */
final class UpstreamConfigParser {

    private UpstreamConfigParser() {
    }

    /** @param withUrls false for {@code idemgate.defaults.upstream}, which has every key but the urls */
    static UpstreamConfig parse(ConfigReader r, boolean withUrls) {
        List<URI> urls = withUrls ? urls(r) : List.of();
        Duration connect = r.duration("connect-timeout", false);
        Duration response = r.duration("response-timeout", false);
        int maxConnections = r.integer("max-connections", 1, Integer.MAX_VALUE);
        int maxPending = r.integer("max-pending-acquires", 0, Integer.MAX_VALUE);
        Duration idle = r.duration("pool-idle-timeout", false);
        return new UpstreamConfig(urls, connect, response, maxConnections, maxPending, idle, tls(r.block("tls")));
    }

    private static UpstreamTlsConfig tls(ConfigReader r) {
        String ca = r.string("ca").trim();
        TlsFiles client = TlsFilesParser.optional(r);
        boolean verify = r.bool("verify");
        return new UpstreamTlsConfig(r.path(), ca.isEmpty() ? null : TlsFilesParser.path(r, "ca", ca), client, verify);
    }

    private static List<URI> urls(ConfigReader r) {
        List<URI> urls = new ArrayList<>();
        if (!r.has("urls")) {
            r.problem("urls", "is required: list the upstream origins, e.g. [\"http://127.0.0.1:8081\"]");
            return urls;
        }
        List<ConfigValue> values = r.list("urls");
        if (values.isEmpty() && r.config().getValue("urls").valueType() == ConfigValueType.LIST) {
            r.problem("urls", "must name at least one upstream, e.g. [\"http://127.0.0.1:8081\"]");
        }
        for (int i = 0; i < values.size(); i++) {
            ConfigValue v = values.get(i);
            String path = r.path("urls") + "[" + i + "]";
            if (v.valueType() != ConfigValueType.STRING) {
                r.problem(path, v, "expected a URL string such as \"http://127.0.0.1:8081\"");
                continue;
            }
            try {
                urls.add(origin(((String) v.unwrapped()).trim()));
            } catch (IllegalArgumentException e) {
                r.problem(path, v, e.getMessage());
            }
        }
        return urls;
    }

    /** @throws IllegalArgumentException saying what makes {@code url} unusable as an upstream origin */
    static URI origin(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a valid URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("must be an http://host[:port] or https://host[:port] URL");
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("must be " + scheme + "://host[:port] with a valid host");
        }
        if (uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException("must not contain user info; credentials do not belong in the URL");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException("must not contain a query or fragment");
        }
        String path = uri.getRawPath();
        if (path != null && !path.isEmpty() && !path.equals("/")) {
            throw new IllegalArgumentException("must not contain a path; requests are forwarded with their own path");
        }
        int port = uri.getPort() == -1 ? (scheme.equals("https") ? 443 : 80) : uri.getPort();
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be between 1 and 65535");
        }
        return URI.create(scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + ":" + port);
    }
}
