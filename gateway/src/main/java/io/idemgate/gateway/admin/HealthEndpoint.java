package io.idemgate.gateway.admin;

import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Liveness: answering at all is the signal, so there is nothing to check. */
final class HealthEndpoint implements AdminHandlerFunction {

    @Override
    public CompletionStage<FullHttpResponse> handle(AdminRequest request) {
        return CompletableFuture.completedFuture(AdminResponses.text(request.alloc(), HttpResponseStatus.OK,
                AdminResponses.JSON, "{\"status\":\"UP\"}"));
    }
}
