package io.clip4stream.app.cli;

import io.clip4stream.app.AllInOne;
import io.clip4stream.app.SampleVideos;
import io.clip4stream.app.demo.DefaultModel;
import io.clip4stream.app.demo.SampleScenes;
import io.clip4stream.runtime.lifecycle.BoundedShutdown;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code clip4stream run}: the embedded broker and all four services in one JVM, until Ctrl-C. */
@Command(
        name = "run",
        description = "Run everything on this machine: an embedded Kafka broker and the ingest, encoder, index and"
                + " query services. On first run it writes a few synthetic sample videos and ingests them.")
public final class RunCommand implements Callable<Integer> {
    @Spec
    private CommandLine.Model.CommandSpec spec;

    private final Map<String, String> environment;

    @Option(names = "--port", defaultValue = "8080", description = "Port of the page, the search API and /health.")
    private int port;

    @Option(
            names = "--model",
            paramLabel = "DIR|NAME",
            description = "Model directory, or a model name (openai/ViT-B-32, see 'model list --available') or URL,"
                    + " pulled into the model cache on first use (default: the bundled demo-world model).")
    private String model;

    @Option(names = "--offline", description = "Never download: a named model must already be in the cache.")
    private boolean offline;

    @Option(names = "--data-dir", defaultValue = ".clip4stream", description = "Broker, index, uploads and media.")
    private Path dataDir;

    @Option(names = "--partitions", defaultValue = "3", description = "Partitions of created topics.")
    private int partitions;

    @Option(names = "--no-samples", description = "Do not write and ingest the sample videos on first run.")
    private boolean noSamples;

    /** A run command reading service settings from {@code environment}. */
    public RunCommand(Map<String, String> environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Path modelDir;
        if (model != null) {
            modelDir = NamedModels.directory(
                    model, environment, offline, spec.commandLine().getErr());
        } else if (DefaultModel.bundled()) {
            modelDir = DefaultModel.ensure(dataDir.resolve("models").resolve("demo"));
            out.println("Model: the default demo model. It knows only the synthetic demo world of its sample videos"
                    + " (coloured circles, squares, triangles and stars moving, growing, spinning...); see README to"
                    + " load real weights for real video.");
        } else {
            modelDir = TinyModel.ensure(dataDir.resolve("models").resolve("tiny"));
            out.println("Model: the tiny model (random weights: rankings are meaningless; see README to load real"
                    + " weights)");
        }
        AllInOne all = new AllInOne(
                new AllInOne.Options(port, dataDir.toAbsolutePath(), modelDir.toAbsolutePath(), 1, partitions),
                environment,
                step -> {
                    out.println("  " + step + "...");
                    out.flush();
                });
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            RunFile.delete(dataDir);
                            // Bounded: a stalled live stream or a stuck part must not keep Ctrl-C or SIGTERM waiting.
                            BoundedShutdown.Report report = all.close(BoundedShutdown.withDefaultBudget());
                            out.println("Clip4Stream " + report.summary());
                            out.flush();
                            stopped.countDown();
                        },
                        "clip4stream-shutdown"));
        all.start();
        new RunFile(all.pageUri(), all.ingestUri(), all.bootstrapServers()).write(dataDir);
        Path marker = dataDir.resolve("samples-ingested");
        if (!noSamples && !Files.exists(marker)) {
            out.println("  writing and ingesting sample videos...");
            out.flush();
            List<String> ids = SampleVideos.ingest(all.ingestUri(), SampleVideos.write(all.mediaDir()));
            Files.writeString(marker, String.join("\n", ids) + "\n");
            out.println("  ingesting " + ids + " (status: bin/clip4stream status, or the page)");
        }
        out.println();
        out.println("Clip4Stream is running: " + all.pageUri());
        String example = SampleScenes.exampleQueries().get(0).text();
        out.println("  try: \"" + example + "\"   search API: "
                + all.pageUri()
                        .resolve("/search?q="
                                + java.net.URLEncoder.encode(example, java.nio.charset.StandardCharsets.UTF_8))
                + "   health: "
                + all.pageUri().resolve("/health"));
        out.println("  ingest API: " + all.ingestUri() + "   Kafka: " + all.bootstrapServers());
        out.println("Ctrl-C to stop.");
        out.flush();
        stopped.await();
        return 0;
    }
}
