package io.idemgate.gateway.fuzz;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The oracle: what the gateway may have done with a client's byte stream, judged by
 * {@link StrictHttp1Parser} and by what {@link RecordingRawUpstream} parsed.
 * <ul>
 *   <li>The gateway forwards only requests the strict parser accepts, in order, and none after one that
 *       ends the connection ({@code Connection: close}, HTTP/1.0 without keep-alive) or after bytes the
 *       strict parser refuses.</li>
 *   <li>The n-th answer on a connection that came from the upstream answers an upstream request equal
 *       to the n-th request the client sent (method, path and query, body bytes): so the upstream parsed
 *       what the gateway accepted, and the answer went back to the connection that asked.</li>
 *   <li>No two answers claim one upstream request, and every request the upstream parsed is answered
 *       to some client ({@link #unclaimed}): a request no client sent would be smuggled.</li>
 * </ul>
 * The gateway may refuse more than the strict parser does (a 404, a 400 for a target it will not
 * normalise); that is never a violation.
 */
final class GatewayContract {

    private GatewayContract() {
    }

    /** The requests the gateway may forward from {@code sent}, in order. */
    static List<StrictHttp1Parser.Request> forwardable(byte[] sent) {
        StrictHttp1Parser.Parse parse = StrictHttp1Parser.parseAll(sent);
        List<StrictHttp1Parser.Request> out = new ArrayList<>();
        for (StrictHttp1Parser.Request r : parse.requests()) {
            out.add(r);
            if (!r.keepsAlive()) {
                break;
            }
        }
        return out;
    }

    /**
     * @param claimed upstream sequence numbers already answered to some client; this connection's are added
     * @return what broke the contract on this connection (empty when nothing did)
     */
    static List<String> check(ClientOutcome outcome, RecordingRawUpstream upstream, Set<Integer> claimed) {
        List<String> violations = new ArrayList<>();
        List<StrictHttp1Parser.Request> expected = forwardable(outcome.sent());
        List<ClientOutcome.Answer> answers = outcome.answers();
        for (int i = 0; i < answers.size(); i++) {
            Integer seq = answers.get(i).upstreamSeq();
            if (seq == null) {
                continue;
            }
            if (!claimed.add(seq)) {
                violations.add("answer " + i + " claims upstream request #" + seq + ", already answered elsewhere");
            }
            RecordingRawUpstream.Seen seen = upstream.seen(seq);
            if (seen == null) {
                violations.add("answer " + i + " names upstream request #" + seq + ", which the upstream never parsed");
                continue;
            }
            if (i >= expected.size()) {
                violations.add("answer " + i + " came from the upstream (" + seen.request()
                        + "), but the strict parser allows only " + expected.size() + " request(s) to be forwarded: "
                        + StrictHttp1Parser.parseAll(outcome.sent()).error());
                continue;
            }
            String diff = difference(expected.get(i), seen.request());
            if (diff != null) {
                violations.add("answer " + i + ": the upstream parsed " + seen.request() + " where the client sent "
                        + expected.get(i) + " (" + diff + ")");
            }
        }
        return violations;
    }

    /** Upstream requests numbered in (from, to] that no client was answered for. */
    static List<String> unclaimed(RecordingRawUpstream upstream, int from, int to, Set<Integer> claimed) {
        List<String> out = new ArrayList<>();
        Map<Integer, RecordingRawUpstream.Seen> seen = upstream.seen();
        for (int s = from + 1; s <= to; s++) {
            if (!claimed.contains(s) && seen.containsKey(s)) {
                out.add("the upstream parsed #" + s + " " + seen.get(s).request() + " and no client got its answer");
            }
        }
        return out;
    }

    private static String difference(StrictHttp1Parser.Request sent, StrictHttp1Parser.Request parsed) {
        if (!sent.method().equals(parsed.method())) {
            return "method";
        }
        if (!sent.pathAndQuery().equals(parsed.target())) {
            return "target";
        }
        if (!Arrays.equals(sent.body(), parsed.body())) {
            return "body";
        }
        return null;
    }
}
