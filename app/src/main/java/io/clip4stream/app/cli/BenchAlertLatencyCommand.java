package io.clip4stream.app.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4stream.alert.bench.AlertLatencyProbe;
import io.clip4stream.alert.stream.ModelTextEncoder;
import io.clip4stream.index.bench.FreshnessBenchmark;
import io.clip4stream.kafka.embedded.EmbeddedKafkaCluster;
import io.clip4stream.model.Clip4ClipModel;
import io.clip4stream.model.ModelOptions;
import io.clip4stream.model.weights.TinyModelGenerator;
import io.clip4stream.model.weights.TinyModelShape;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code clip4stream bench alert-latency}: clip boundary on the frame-embeddings topic to alert on the alerts topic,
 * next to indexing freshness (boundary to searchable) measured on the same clips in the same run.
 */
@Command(
        name = "alert-latency",
        mixinStandardHelpOptions = true,
        description = "Run the index and alert services on a broker with a standing query every clip matches, and"
                + " measure p50/p95 of the time from a clip boundary being produced to its alert on the alerts topic"
                + " (read committed), next to the indexing freshness of the same clips.")
public final class BenchAlertLatencyCommand implements Callable<Integer> {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--clips", description = "Clips to measure (default: 200).", defaultValue = "200")
    private int clips;

    @Option(names = "--frames", description = "Frames per clip (default: 12).", defaultValue = "12")
    private int frames;

    @Option(
            names = "--refresh-ms",
            description = "Index refresh interval (default: the service default, 250).",
            defaultValue = "250")
    private long refreshMillis;

    @Option(names = "--bootstrap", description = "A running broker; default: an embedded one started for the run.")
    private String bootstrap;

    @Option(
            names = "--model-dir",
            description = "A model directory (aggregation head and text tower); default: a generated tiny model.")
    private Path modelDir;

    @Option(names = "--json", description = "Print one JSON object.")
    private boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter progress = spec.commandLine().getErr();
        Path work = Files.createTempDirectory("clip4stream-bench-alert-latency");
        Path model = modelDir;
        if (model == null) {
            model = work.resolve("tiny-model");
            new TinyModelGenerator(7).generate(model, TinyModelShape.defaults(), "tiny");
        }
        EmbeddedKafkaCluster cluster = null;
        String servers = bootstrap;
        if (servers == null) {
            cluster = EmbeddedKafkaCluster.builder().build().start();
            servers = cluster.bootstrapServers();
        }
        try (Clip4ClipModel loaded = Clip4ClipModel.load(model, ModelOptions.defaults())) {
            AlertLatencyProbe probe = new AlertLatencyProbe();
            FreshnessBenchmark.Companion alerts = new FreshnessBenchmark.Companion() {
                @Override
                public AutoCloseable start(String bootstrapServers, String topicPrefix) throws Exception {
                    probe.start(
                            bootstrapServers, topicPrefix, work.resolve("alert-state"), new ModelTextEncoder(loaded));
                    return probe;
                }

                @Override
                public void boundaryProduced(String sourceId, long endMicros, long producedNanos) {
                    probe.boundaryProduced(sourceId, endMicros, producedNanos);
                }
            };
            FreshnessBenchmark.Result freshness = FreshnessBenchmark.run(
                    new FreshnessBenchmark.Options(
                            clips, frames, servers, work.resolve("index-state"), Duration.ofMillis(refreshMillis)),
                    loaded,
                    progress,
                    alerts);
            AlertLatencyProbe.Result latency = probe.result();
            if (json) {
                out.println(new ObjectMapper().writeValueAsString(toJson(latency, freshness)));
            } else {
                printTable(latency, freshness, out);
            }
            out.flush();
        } finally {
            if (cluster != null) {
                cluster.close();
            }
        }
        return 0;
    }

    /** The agreed JSON fields first ({@code alerts}, {@code p50_ms}, {@code p95_ms}, {@code freshness_p95_ms}). */
    static Map<String, Object> toJson(AlertLatencyProbe.Result latency, FreshnessBenchmark.Result freshness) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("alerts", latency.alerts());
        json.put("p50_ms", latency.p50Millis());
        json.put("p95_ms", latency.p95Millis());
        json.put("freshness_p95_ms", freshness.p95Millis());
        json.put("max_ms", latency.maxMillis());
        json.put("freshness_p50_ms", freshness.p50Millis());
        json.put("clips", freshness.clips());
        json.put("refresh_ms", freshness.refreshMillis());
        return json;
    }

    private static void printTable(
            AlertLatencyProbe.Result latency, FreshnessBenchmark.Result freshness, PrintWriter out) {
        out.printf(
                "boundary produced -> alert on the alerts topic (read committed), %d of %d clips, refresh %d ms%n",
                latency.alerts(), freshness.clips(), freshness.refreshMillis());
        out.printf("%-22s %10s %10s %10s%n", "", "p50 ms", "p95 ms", "max ms");
        out.printf(
                "%-22s %10.1f %10.1f %10.1f%n", "alert", latency.p50Millis(), latency.p95Millis(), latency.maxMillis());
        out.printf(
                "%-22s %10.1f %10.1f %10.1f%n",
                "freshness (searchable)", freshness.p50Millis(), freshness.p95Millis(), freshness.maxMillis());
        out.flush();
    }
}
