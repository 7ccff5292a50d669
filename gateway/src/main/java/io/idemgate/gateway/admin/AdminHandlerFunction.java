package io.idemgate.gateway.admin;

import io.netty.handler.codec.http.FullHttpResponse;
import java.util.concurrent.CompletionStage;

/**
 * One admin endpoint. Called on the connection's event loop, so it must not block: anything slow (a store
 * call) returns a stage completed later, on any thread; the server hops back to the event loop to write.
 * The returned response is owned by the server from then on (it is written or released, never both).
 */
@FunctionalInterface
public interface AdminHandlerFunction {

    CompletionStage<FullHttpResponse> handle(AdminRequest request);
}
