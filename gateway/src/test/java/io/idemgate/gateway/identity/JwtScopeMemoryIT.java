package io.idemgate.gateway.identity;

/** {@code scope.jwt} on the embedded store. */
class JwtScopeMemoryIT extends JwtScopeIT {

    @Override
    protected String storeConfig() {
        return "";
    }
}
