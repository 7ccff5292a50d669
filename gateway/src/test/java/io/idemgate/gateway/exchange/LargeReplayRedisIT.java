package io.idemgate.gateway.exchange;

import io.idemgate.gateway.testsupport.RedisServer;

/** Large replays on a real redis-server: chunks are fetched one HGET at a time as the client reads. */
class LargeReplayRedisIT extends LargeReplayIT {

    private RedisServer redis;

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

    @Override
    protected boolean chunksLiveInTheStore() {
        return true;
    }
}
