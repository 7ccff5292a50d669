package io.idemgate.gateway.fuzz;

import java.util.List;

/**
 * What one client connection sent and got back: the bytes, the responses in order (status and, for an
 * answer that came from the recording upstream, its sequence number), and how the connection ended.
 */
record ClientOutcome(byte[] sent, List<Answer> answers, String ending) {

    /** One response; {@code upstreamSeq} is null for an answer the gateway made itself. */
    record Answer(int status, Integer upstreamSeq) {
        @Override
        public String toString() {
            return upstreamSeq == null ? status + " (gateway)" : status + " (upstream #" + upstreamSeq + ")";
        }
    }

    @Override
    public String toString() {
        return "sent \"" + Bytes.escape(sent) + "\" got " + answers + " then " + ending;
    }
}
