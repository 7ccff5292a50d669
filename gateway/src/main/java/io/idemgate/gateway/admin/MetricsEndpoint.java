package io.idemgate.gateway.admin;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.MetricNameFilter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code /metrics}: the registry in the format the {@code Accept} header negotiates (Prometheus text by default,
 * OpenMetrics on request), optionally only the families named by {@code ?name[]=}. Scrapes run on the event
 * loop; they take well under a millisecond for the gateway's few families.
 */
final class MetricsEndpoint implements AdminHandlerFunction {

    private final PrometheusRegistry registry;
    private final ExpositionFormats formats = ExpositionFormats.init();

    MetricsEndpoint(PrometheusRegistry registry) {
        this.registry = registry;
    }

    @Override
    public CompletionStage<FullHttpResponse> handle(AdminRequest request) {
        ExpositionFormatWriter writer = formats.findWriter(request.headers().get(HttpHeaderNames.ACCEPT));
        if (!writer.isAvailable()) {
            // Protobuf was asked for, but its writer is not on the class path; text is every scraper's fallback.
            writer = formats.getPrometheusTextFormatWriter();
        }
        List<String> names = request.params().get("name[]");
        MetricSnapshots snapshots = names == null || names.isEmpty()
                ? registry.scrape()
                : registry.scrape(MetricNameFilter.builder().nameMustBeEqualTo(names).build());
        ExpositionFormatWriter chosen = writer;
        ByteBuf body = AdminResponses.write(request.alloc(), out -> chosen.write(out, snapshots));
        return CompletableFuture.completedFuture(
                AdminResponses.withBody(HttpResponseStatus.OK, chosen.getContentType(), body));
    }
}
