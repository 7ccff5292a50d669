package io.idemgate.gateway.admin;

import io.idemgate.gateway.config.RouteConfig;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/** {@code /admin/routes}: the effective route rules, as the gateway uses them right now. */
final class RoutesEndpoint implements AdminHandlerFunction {

    private final Supplier<List<RouteConfig>> routes;

    RoutesEndpoint(Supplier<List<RouteConfig>> routes) {
        this.routes = routes;
    }

    @Override
    public CompletionStage<FullHttpResponse> handle(AdminRequest request) {
        return CompletableFuture.completedFuture(AdminResponses.text(request.alloc(), HttpResponseStatus.OK,
                AdminResponses.JSON, RoutesJson.render(routes.get())));
    }
}
