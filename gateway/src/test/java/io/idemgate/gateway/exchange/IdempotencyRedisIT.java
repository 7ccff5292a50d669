package io.idemgate.gateway.exchange;

import io.idemgate.gateway.testsupport.RedisServer;

/** The request-flow suite on a real redis-server: the same answers as on the memory store. */
class IdempotencyRedisIT extends IdempotencyIT {

    private RedisServer redis;

    /**
     * The suite fires 200 concurrent requests at one gateway in a JVM running PARANOID leak detection
     * (Lettuce's buffers included) on what may be a two-core CI machine; a store call can queue longer than
     * the default 250 ms there. Timeouts are SlowRedisIT's subject, not this suite's, so they are generous.
     */
    @Override
    protected String storeConfig() {
        redis = RedisServer.start();
        return "idemgate.store { type = redis, redis { uri = \"" + redis.uri() + "\", command-timeout = 3s } }";
    }

    @Override
    protected void stopStore() {
        if (redis != null) {
            redis.close();
        }
    }
}
