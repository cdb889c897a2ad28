package io.clip4stream.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.clip4stream.schemas.avro.IngestState;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class IngestMetricsTest {

    @Test
    void everyMetricCarriesTheProjectPrefix() {
        PrometheusRegistry registry = new PrometheusRegistry();
        IngestMetrics metrics = new IngestMetrics(registry);
        metrics.sourcesByState(() -> Map.of(IngestState.DONE, 1L));
        Set<String> names = new TreeSet<>();
        for (MetricSnapshot snapshot : registry.scrape()) {
            names.add(snapshot.getMetadata().getPrometheusName());
        }
        // Dashboards and ClusterEndToEndIT select on these names; every service shares the clip4stream_ prefix.
        assertEquals(
                new TreeSet<>(Set.of(
                        "clip4stream_ingest_frames_decoded",
                        "clip4stream_ingest_frames_sampled",
                        "clip4stream_ingest_sources_active",
                        "clip4stream_ingest_source_failures",
                        "clip4stream_ingest_decode_frames_per_second",
                        "clip4stream_ingest_sources")),
                names);
    }
}
