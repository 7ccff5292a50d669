package io.idemgate.gateway.exchange;

import io.idemgate.gateway.http.Problem;
import io.idemgate.gateway.http.RequestHeadRules;
import io.idemgate.gateway.http.RequestTarget;
import io.idemgate.gateway.metrics.RejectReason;
import io.idemgate.gateway.route.Route;
import io.idemgate.gateway.route.Routing;
import io.idemgate.gateway.upstream.UpstreamGroup;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.util.Locale;

/**
 * The checks a request head passes before any exchange starts: decodable, within the header rules, a
 * target that normalises, and a route that matches. What is refused here reaches neither an upstream
 * nor the store. Stateless.
 */
final class RequestAdmission {

    /** What admission decided for one head. */
    sealed interface Verdict {
    }

    /** Routed: the exchange may start. */
    record Admitted(RequestLine line, Route route, UpstreamGroup group) implements Verdict {
    }

    /** Bad input: answered and the connection closed, since what follows cannot be trusted to be framed. */
    record Refused(Problem problem, RejectReason reason, String detail) implements Verdict {
    }

    /** A well-formed request no route matches: 404, and the connection may stay. */
    record NoRoute(RequestLine line) implements Verdict {
    }

    private RequestAdmission() {
    }

    static Verdict admit(HttpRequest request, Routing routing) {
        DecoderResult result = request.decoderResult();
        if (result.isFailure()) {
            return malformed(result.cause());
        }
        String violation = RequestHeadRules.violation(request);
        String method = request.method().name();
        if (violation == null && routing.table().isIdempotencyMethodInAnotherCase(method)) {
            violation = "Methods are case-sensitive: " + method + " is not " + method.toUpperCase(Locale.ROOT) + ".";
        }
        if (violation != null) {
            return new Refused(Problem.BAD_REQUEST, RejectReason.MALFORMED, violation);
        }
        RequestLine line;
        try {
            line = RequestLine.of(request);
        } catch (RequestTarget.InvalidTargetException e) {
            return new Refused(Problem.BAD_REQUEST, RejectReason.BAD_TARGET,
                    "The request target is not accepted: " + e.getMessage() + ".");
        }
        Route route = routing.table().match(line.host(), line.path(), line.methodName());
        if (route == null) {
            return new NoRoute(line);
        }
        return new Admitted(line, route, routing.upstreams().forRoute(route.name()));
    }

    /** A head the decoder could not take: 414, 431 or 400. */
    static Refused malformed(Throwable cause) {
        if (cause instanceof TooLongHttpLineException) {
            return new Refused(Problem.URI_TOO_LONG, RejectReason.BAD_TARGET, Problem.URI_TOO_LONG.title() + ".");
        }
        if (cause instanceof TooLongHttpHeaderException || cause instanceof TooLongFrameException) {
            return new Refused(Problem.HEADERS_TOO_LARGE, RejectReason.TOO_LARGE_HEADERS, Problem.HEADERS_TOO_LARGE.title() + ".");
        }
        return new Refused(Problem.BAD_REQUEST, RejectReason.MALFORMED, "The request is not valid HTTP/1.1: " + safeMessage(cause));
    }

    /** The decoder's message names the rule that was broken; cut it short and keep it to one line. */
    private static String safeMessage(Throwable cause) {
        String m = String.valueOf(cause.getMessage());
        m = m.replaceAll("[\\r\\n\\t]", " ");
        return m.length() > 160 ? m.substring(0, 160) + "…" : m;
    }
}
