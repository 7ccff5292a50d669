package io.idemgate.gateway.admin;

import io.idemgate.gateway.http.Problem;
import io.idemgate.gateway.reload.ReloadResult;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * {@code POST /admin/reload}: reloads the route rules from the config file. The reload runs off the event
 * loop (the supplier hands it to the reload thread); the answer is {@code 200 {"reloaded":true,"routes":N}},
 * or {@code 422} problem+json with the validation problems, secrets removed, when the old rules were kept.
 */
final class ReloadEndpoint implements AdminHandlerFunction {

    private final Supplier<CompletionStage<ReloadResult>> reload;

    ReloadEndpoint(Supplier<CompletionStage<ReloadResult>> reload) {
        this.reload = reload;
    }

    @Override
    public CompletionStage<FullHttpResponse> handle(AdminRequest request) {
        return reload.get().thenApply(result -> answer(request.alloc(), result));
    }

    static FullHttpResponse answer(ByteBufAllocator alloc, ReloadResult result) {
        if (!result.reloaded()) {
            return AdminResponses.problem(alloc, Problem.CONFIG_INVALID, result.error());
        }
        return AdminResponses.json(alloc, HttpResponseStatus.OK, g -> {
            g.writeStartObject();
            g.writeBooleanField("reloaded", true);
            g.writeNumberField("routes", result.routes());
            if (!result.restartRequired().isEmpty()) {
                g.writeArrayFieldStart("restartRequired");
                for (String key : result.restartRequired()) {
                    g.writeString(key);
                }
                g.writeEndArray();
            }
            g.writeEndObject();
        });
    }
}
