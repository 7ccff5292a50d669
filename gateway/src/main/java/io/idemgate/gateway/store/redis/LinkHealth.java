package io.idemgate.gateway.store.redis;

import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One event loop's Redis link as the store sees it. The truth is the connection's own state, read on
 * every command ({@link #usable()}); {@link #watch()} compares it with the last look so that each loss and
 * each recovery is logged once (and a recovery can make the breaker probe at once), and
 * {@link #borrowing} logs the first command of an outage that went out on another loop's link.
 *
 * <p>Threading: any thread; {@link #watch()} from one thread at a time.
 */
final class LinkHealth {

    /** {@code idemgate_store_links{state}}: connected; down but served by another loop's link; down with none. */
    enum State { UP, BORROWING, DOWN }

    private static final Logger log = LoggerFactory.getLogger(LinkHealth.class);

    private final String name;
    private final RedisLink link;
    private volatile boolean seenUp = true; // a link is opened connected
    private volatile boolean borrowLogged;

    LinkHealth(String name, RedisLink link) {
        this.name = name;
        this.link = link;
    }

    boolean usable() {
        return link.connected();
    }

    RedisClusterAsyncCommands<byte[], byte[]> commands() {
        return link.commands();
    }

    RedisLink link() {
        return link;
    }

    /** This link's loop sends a command on {@code lender}'s link because its own is down. */
    void borrowing(LinkHealth lender) {
        if (!borrowLogged) {
            borrowLogged = true;
            log.atInfo().addKeyValue("link", name).addKeyValue("lender", lender.name)
                    .log("redis link of {} is down: its commands go on the link of {} until it reconnects", name, lender.name);
        }
    }

    /** @return true if the link is up again since the last look */
    boolean watch() {
        boolean up = usable();
        if (up == seenUp) {
            return false;
        }
        seenUp = up;
        if (up) {
            borrowLogged = false;
            log.atInfo().addKeyValue("link", name).log("redis link of {} reconnected", name);
            return true;
        }
        log.atWarn().addKeyValue("link", name).log("redis link of {} lost; reconnecting", name);
        return false;
    }

    @Override
    public String toString() {
        return name;
    }
}
