package io.idemgate.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.idemgate.gateway.config.ConfigLoader;
import io.idemgate.gateway.config.RouteConfig;
import io.idemgate.gateway.http.Problem;
import io.idemgate.gateway.idempotency.KeyHasher;
import io.idemgate.gateway.idempotency.RecordKey;
import io.idemgate.gateway.idempotency.ScopeHasher;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecordQueryTest {

    private static final List<String> ALLOWED = List.of("route", "key", "scope", "body");
    private static final List<RouteConfig> ROUTES = ConfigLoader.parse("""
            idemgate.routes = [
              { name = pay, match.path = "/pay/**", upstream.urls = ["http://127.0.0.1:1"] }
              { name = tenants, match.path = "/t/**", upstream.urls = ["http://127.0.0.1:1"],
                idempotency.scope.headers = ["Authorization", "X-Tenant"] }
              { name = oauth, match.path = "/o/**", upstream.urls = ["http://127.0.0.1:1"],
                idempotency.scope.jwt { hs256-secret = "an-hs256-secret-of-at-least-32-bytes!", claims = ["iss", "sub"] } }
            ]
            """, "test").routes();

    @Test
    void scopeParametersHashLikeTheSameHeadersOnARequest() {
        HttpHeaders request = new DefaultHttpHeaders().add("authorization", "Bearer abc").add("X-Tenant", "t1");
        RecordKey expected = RecordKey.of("tenants",
                ScopeHasher.hash(List.of("Authorization", "X-Tenant"), request::getAll), "k1", null, KeyHasher.withSecret(""));

        RecordQuery q = parse("route=tenants&key=k1&scope=Bearer%20abc&scope=t1");

        assertThat(q.recordKey().storageId()).isEqualTo(expected.storageId());
        assertThat(q.withBody()).isFalse();
    }

    @Test
    void aMissingScopeIsAnAbsentHeaderAndAnEmptyOneIsAnEmptyHeader() {
        String absent = ScopeHasher.hash(List.of("Authorization"), name -> List.of());
        String empty = ScopeHasher.hash(List.of("Authorization"), name -> List.of(""));

        assertThat(parse("route=pay&key=k").recordKey().scopeHash()).isEqualTo(absent);
        assertThat(parse("route=pay&key=k&scope=").recordKey().scopeHash()).isEqualTo(empty).isNotEqualTo(absent);
    }

    @Test
    void onlyTrailingScopeHeadersCanBeLeftOut() {
        String onlyAuth = ScopeHasher.hash(List.of("Authorization", "X-Tenant"),
                name -> name.equals("Authorization") ? List.of("Bearer abc") : List.of());
        assertThat(parse("route=tenants&key=k&scope=Bearer%20abc").recordKey().scopeHash()).isEqualTo(onlyAuth);
    }

    @Test
    void badQueriesAreRefusedWithoutEchoingTheirValues() {
        assertRefused("key=k", Problem.ADMIN_BAD_QUERY);
        assertRefused("route=pay", Problem.ADMIN_BAD_QUERY);
        assertRefused("route=pay&key=", Problem.ADMIN_BAD_QUERY);
        assertRefused("route=pay&key=a&key=b", Problem.ADMIN_BAD_QUERY);
        assertRefused("route=pay&key=k&body=1", Problem.ADMIN_BAD_QUERY);
        assertRefused("route=nope&key=k", Problem.ADMIN_NO_SUCH_ROUTE);
        assertThatThrownBy(() -> parse("route=pay&key=k&Bearer%20secret"))
                .hasMessageNotContaining("secret");
        assertThatThrownBy(() -> parse("route=pay&key=k&scope=secret1&scope=secret2"))
                .hasMessageNotContaining("secret");
    }

    private static void assertRefused(String query, Problem problem) {
        assertThatThrownBy(() -> parse(query)).isInstanceOfSatisfying(RecordQuery.Refused.class,
                r -> assertThat(r.problem()).isEqualTo(problem));
    }

    private static RecordQuery parse(String query) {
        Map<String, List<String>> params = new QueryStringDecoder("/admin/records?" + query).parameters();
        AdminRequest request = new AdminRequest(HttpMethod.GET, "/admin/records", params, new DefaultHttpHeaders(),
                new byte[0], ByteBufAllocator.DEFAULT);
        return RecordQuery.parse(request, ROUTES, ALLOWED, KeyHasher.withSecret(""));
    }

    @Test
    void onAJwtRouteTheScopeParametersAreTheClaimValuesInConfigOrder() {
        String expected = ScopeHasher.hashClaims(List.of("iss", "sub"),
                name -> name.equals("iss") ? List.of("https://idp.test") : List.of("alice"));
        assertThat(parse("route=oauth&key=k&scope=https://idp.test&scope=alice").recordKey().scopeHash()).isEqualTo(expected);
        assertThatThrownBy(() -> parse("route=oauth&key=k&scope=alice")).hasMessageContaining("[iss, sub]");
    }
}
