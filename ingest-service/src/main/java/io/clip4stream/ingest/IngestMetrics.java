package io.clip4stream.ingest;

import io.clip4stream.ingest.run.RunListener;
import io.clip4stream.schemas.avro.IngestState;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Map;
import java.util.function.Supplier;

/** The ingest service's Prometheus metrics; frames/s is {@code rate(clip4stream_ingest_frames_decoded_total[1m])}. */
public final class IngestMetrics implements RunListener {
    private final PrometheusRegistry registry;
    private final Counter decoded;
    private final Counter sampled;
    private final Gauge active;
    private final Counter failures;
    private final Gauge rate;

    /** Registers the metrics on {@code registry}. */
    public IngestMetrics(PrometheusRegistry registry) {
        this.registry = registry;
        decoded = Counter.builder()
                .name("clip4stream_ingest_frames_decoded")
                .help("Video frames decoded")
                .register(registry);
        sampled = Counter.builder()
                .name("clip4stream_ingest_frames_sampled")
                .help("Frames sampled and sent downstream")
                .register(registry);
        active = Gauge.builder()
                .name("clip4stream_ingest_sources_active")
                .help("Sources being decoded by this instance")
                .register(registry);
        failures = Counter.builder()
                .name("clip4stream_ingest_source_failures")
                .help("Sources that failed or were truncated (live sources count every failed attempt)")
                .register(registry);
        rate = Gauge.builder()
                .name("clip4stream_ingest_decode_frames_per_second")
                .help("Decode rate of the source that last completed a clip, frames per second")
                .register(registry);
    }

    /**
     * Exports {@code clip4stream_ingest_sources{state}}: how many sources {@code counts} (read at each scrape) holds in each
     * state.
     */
    public void sourcesByState(Supplier<Map<IngestState, Long>> counts) {
        GaugeWithCallback.builder()
                .name("clip4stream_ingest_sources")
                .help("Sources by the state of their latest status, all instances' (from the status topic)")
                .labelNames("state")
                .callback(callback -> counts.get().forEach((state, n) -> callback.call(n, state.name())))
                .register(registry);
    }

    /**
     * Exports {@code clip4stream_ingest_reencode_sources_remaining{model_version}}: the sources each version's re-encode
     * still has to do here ({@code remaining}, read at each scrape).
     */
    public void reencodeRemaining(Supplier<Map<String, Long>> remaining) {
        GaugeWithCallback.builder()
                .name("clip4stream_ingest_reencode_sources_remaining")
                .help("Sources a model version's re-encode of kept uploads still has to do on this instance")
                .labelNames("model_version")
                .callback(callback -> remaining.get().forEach((version, n) -> callback.call(n, version)))
                .register(registry);
    }

    @Override
    public void decoded(long count) {
        if (count > 0) {
            decoded.inc(count);
        }
    }

    @Override
    public void sampled() {
        sampled.inc();
    }

    @Override
    public void active(int delta) {
        active.inc(delta);
    }

    @Override
    public void failed() {
        failures.inc();
    }

    @Override
    public void rate(double framesPerSecond) {
        rate.set(framesPerSecond);
    }
}
