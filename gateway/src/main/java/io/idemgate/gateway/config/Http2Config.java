package io.idemgate.gateway.config;

import java.time.Duration;

/**
 * Limits of one client HTTP/2 connection (SETTINGS we announce, and how much abuse we take).
 *
 * @param maxConcurrentStreams streams a client may have open at once (SETTINGS_MAX_CONCURRENT_STREAMS)
 * @param maxHeaderListSize decoded header bytes per request (SETTINGS_MAX_HEADER_LIST_SIZE); CONTINUATION
 *                          frames beyond it end the connection
 * @param initialWindowSize per-stream receive window (SETTINGS_INITIAL_WINDOW_SIZE)
 * @param maxResetsPerWindow stream resets (by either side) tolerated per {@code resetWindow}: rapid reset
 * @param maxQueuedControlFrames answers to SETTINGS/PING/RST a client may leave unread before it is cut off
 */
public record Http2Config(
        int maxConcurrentStreams,
        long maxHeaderListSize,
        int initialWindowSize,
        int maxResetsPerWindow,
        Duration resetWindow,
        int maxQueuedControlFrames) {
}
