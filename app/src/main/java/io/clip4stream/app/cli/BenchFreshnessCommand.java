package io.clip4stream.app.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code clip4stream bench freshness}: time from a clip boundary being produced to the clip answering a query. */
@Command(
        name = "freshness",
        mixinStandardHelpOptions = true,
        description = "Run the index service on a broker and measure p50/p95 of the time from a clip boundary being"
                + " produced to the clip being returned by a k-NN query.")
public final class BenchFreshnessCommand implements Callable<Integer> {
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
            description = "A model directory for the aggregation head; default: a generated tiny model (meanP, 64-d).")
    private Path modelDir;

    @Option(names = "--json", description = "Print one JSON object.")
    private boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter progress = spec.commandLine().getErr();
        Path work = Files.createTempDirectory("clip4stream-bench-freshness");
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
            FreshnessBenchmark.Result result = FreshnessBenchmark.run(
                    new FreshnessBenchmark.Options(
                            clips, frames, servers, work.resolve("state"), Duration.ofMillis(refreshMillis)),
                    loaded,
                    progress);
            if (json) {
                out.println(new ObjectMapper().writeValueAsString(result));
            } else {
                FreshnessBenchmark.printTable(result, out);
            }
            out.flush();
        } finally {
            if (cluster != null) {
                cluster.close();
            }
        }
        return 0;
    }
}
