package io.idemgate.gateway.identity;

import io.idemgate.gateway.testsupport.RedisServer;

/** {@code scope.jwt} on a real redis-server: the token-refresh retry replays there too. */
class JwtScopeRedisIT extends JwtScopeIT {

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
}
