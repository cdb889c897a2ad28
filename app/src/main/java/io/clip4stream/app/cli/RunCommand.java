package io.clip4stream.app.cli;

import io.clip4stream.app.AllInOne;
import io.clip4stream.app.RunLogging;
import io.clip4stream.app.SampleVideos;
import io.clip4stream.app.demo.DefaultModel;
import io.clip4stream.app.demo.SampleScenes;
import io.clip4stream.runtime.config.Env;
import io.clip4stream.runtime.lifecycle.BoundedShutdown;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
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
    /** How long run waits for the index shards before it checks that the served model version holds the clips. */
    private static final java.time.Duration MODEL_ADVICE_WAIT = java.time.Duration.ofMinutes(2);

    /** Exit status of a run refused before it started anything (busy port). */
    static final int REFUSED = 2;

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

    @Option(
            names = "--data-dir",
            description = "Broker, index, uploads, media and logs (default: $XDG_STATE_HOME/clip4stream, or"
                    + " ~/.local/state/clip4stream).")
    private Path dataDir;

    @Option(names = "--partitions", defaultValue = "3", description = "Partitions of created topics.")
    private int partitions;

    @Option(names = "--no-samples", description = "Do not write and ingest the sample videos on first run.")
    private boolean noSamples;

    @Option(names = "--verbose", description = "Also print the log (which always goes to <data-dir>/logs).")
    private boolean verbose;

    /** A run command reading service settings from {@code environment}. */
    public RunCommand(Map<String, String> environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path data = StateDirectory.resolve(dataDir, environment);
        // Before anything starts: a busy port would otherwise show only after the broker and the model are up.
        if (port != 0 && !free(port)) {
            err.println("Port " + port + " is already in use (another Clip4Stream, or another program): stop it, or"
                    + " choose another port with --port.");
            err.flush();
            return REFUSED;
        }
        RunLogging logging = RunLogging.of(data, verbose, new Env(environment));
        logging.apply();
        out.println("Clip4Stream " + BuildInfo.load().version() + ": streaming text-to-video search");
        Path modelDir;
        if (model != null) {
            modelDir = NamedModels.directory(model, environment, offline, err);
        } else if (DefaultModel.bundled()) {
            modelDir = DefaultModel.ensure(data.resolve("models").resolve("demo"));
            out.println("Model: the default demo model. It knows only the synthetic demo world of its sample videos"
                    + " (coloured shapes moving, growing, spinning); load real weights for real video (README).");
        } else {
            modelDir = TinyModel.ensure(data.resolve("models").resolve("tiny"));
            out.println("Model: the tiny model (random weights: rankings are meaningless; see README to load real"
                    + " weights)");
        }
        out.print("Starting");
        out.flush();
        AllInOne all = new AllInOne(
                new AllInOne.Options(port, data, modelDir.toAbsolutePath(), 1, partitions), environment, step -> {
                    out.print(" · " + step.replaceFirst("^starting ", "").replaceFirst(" from .*", ""));
                    out.flush();
                });
        CountDownLatch stopped = new CountDownLatch(1);
        IngestProgress[] progress = new IngestProgress[1];
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            out.println();
                            out.print("Stopping… ");
                            out.flush();
                            RunFile.delete(data);
                            if (progress[0] != null) {
                                progress[0].close();
                            }
                            // Bounded: a stalled live stream or a stuck part must not keep Ctrl-C or SIGTERM waiting.
                            BoundedShutdown.Report report = all.close(BoundedShutdown.withDefaultBudget());
                            out.println("stopped.");
                            if (!report.complete()) {
                                out.println("Some parts did not stop in time and were left behind (" + report.summary()
                                        + "); what they had not committed is resumed at the next start.");
                            }
                            out.flush();
                            stopped.countDown();
                            RunLogging.stop();
                        },
                        "clip4stream-shutdown"));
        all.start();
        out.println(" · ready.");
        new RunFile(all.pageUri(), all.ingestUri(), all.bootstrapServers()).write(data);
        progress[0] = IngestProgress.start(all.bootstrapServers(), environment, line -> {
            out.println(line);
            out.flush();
        });
        out.println();
        out.println("Open " + all.pageUri().toString().replaceFirst("/$", ""));
        out.println();
        String example = SampleScenes.exampleQueries().get(0).text();
        out.println("  try:      bin/clip4stream search \"" + example + "\"   (API: "
                + all.pageUri().resolve("/search?q=" + URLEncoder.encode(example, StandardCharsets.UTF_8)) + ")");
        out.println("  add:      bin/clip4stream ingest VIDEO_FILE_OR_URL");
        out.println("  logs:     " + logging.file() + (verbose ? "" : " (--verbose to print them here)"));
        out.println("Ctrl-C to stop.");
        out.println();
        out.flush();
        // A data directory indexed with another model searches empty: say so once the shards are open, never stay
        // silent.
        Thread.ofVirtual().name("run-model-advice").start(() -> {
            try {
                all.modelAdvice(MODEL_ADVICE_WAIT).ifPresent(advice -> {
                    out.println("Note: " + advice);
                    out.flush();
                });
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Path marker = data.resolve("samples-ingested");
        if (!noSamples && !Files.exists(marker)) {
            List<String> ids = SampleVideos.ingest(all.ingestUri(), SampleVideos.write(all.mediaDir()));
            Files.writeString(marker, String.join("\n", ids) + "\n");
        }
        stopped.await();
        return 0;
    }

    /** Whether nothing listens on {@code port} of the loopback address (where the page will listen). */
    static boolean free(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
