package io.idemgate.gateway.admin;

import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** {@code /readyz}: 200 {@code {"status":"UP"}} or 503 {@code {"status":"DOWN"}}, each with the check's detail. */
final class ReadinessEndpoint implements AdminHandlerFunction {

    /** Shorter than a typical probe timeout, so the probe gets a 503 with a reason rather than its own timeout. */
    static final Duration TIMEOUT = Duration.ofSeconds(2);

    private final ReadinessCheck check;

    ReadinessEndpoint(ReadinessCheck check) {
        this.check = check;
    }

    @Override
    public CompletionStage<FullHttpResponse> handle(AdminRequest request) {
        CompletableFuture<Readiness> answer;
        try {
            // copy() so the timeout does not complete the check's own future under its owner.
            answer = check.check().toCompletableFuture().copy().orTimeout(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        return answer.handle((r, error) -> {
            Readiness readiness = error == null ? r : Readiness.notReady(describe(error));
            return AdminResponses.json(request.alloc(),
                    readiness.ready() ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE, g -> {
                        g.writeStartObject();
                        g.writeStringField("status", readiness.ready() ? "UP" : "DOWN");
                        g.writeStringField("detail", readiness.detail());
                        g.writeEndObject();
                    });
        });
    }

    private static String describe(Throwable error) {
        Throwable cause = error.getCause() != null ? error.getCause() : error;
        return cause instanceof TimeoutException
                ? "readiness check did not answer within " + TIMEOUT.toMillis() + " ms"
                : "readiness check failed: " + cause.getClass().getSimpleName();
    }
}
