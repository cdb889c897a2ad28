package io.clip4stream.app.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4stream.app.AllInOne;
import io.clip4stream.app.SampleVideos;
import io.clip4stream.app.load.LoadGenerator;
import io.clip4stream.app.load.LoadStats;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code clip4stream bench load}: fixed-rate searches on loopback against the all-in-one run (embedded broker, all four
 * services) while sources are ingested, with {@code /health} probed throughout; the baseline is the same rate on the
 * same run before ingest starts.
 */
@Command(
        name = "load",
        mixinStandardHelpOptions = true,
        description = "Run everything on an embedded broker, send searches at a fixed rate for S seconds with no"
                + " ingest (baseline), then S seconds while sample videos are ingested; report throughput, p50/p99,"
                + " errors, 503s and the slowest /health answer.")
public final class LoadBenchCommand implements Callable<Integer> {
    private static final Duration SEARCHABLE_WAIT = Duration.ofMinutes(3);
    private static final int WARM_UP_SEARCHES = 30;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--seconds", description = "Seconds of load per phase (default: 20).", defaultValue = "20")
    private double seconds;

    @Option(names = "--rate", description = "Searches per second (default: 20).", defaultValue = "20")
    private double rate;

    @Option(
            names = "--model-workers",
            description = "CLIP4S_QUERY_MODEL_WORKERS for the run (default: the service default, 0 = by cores).",
            defaultValue = "0")
    private int modelWorkers;

    @Option(
            names = "--model-queue",
            description = "CLIP4S_QUERY_MODEL_QUEUE for the run (default: the service default).",
            defaultValue = "0")
    private int modelQueue;

    @Option(names = "--model-dir", description = "A model directory; default: the bundled tiny model.")
    private Path modelDir;

    @Option(names = "--json", description = "Print one JSON object.")
    private boolean json;

    @Override
    public Integer call() throws Exception {
        if (!(seconds > 0) || !(rate > 0)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--seconds and --rate must be positive");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter progress = spec.commandLine().getErr();
        Path work = Files.createTempDirectory("clip4stream-bench-load");
        Path model = modelDir != null ? modelDir : TinyModel.ensure(work.resolve("model"));
        Map<String, String> env = new HashMap<>();
        // One client on loopback: the per-address rate limit would measure itself, not the service.
        env.put("CLIP4S_QUERY_RATE_LIMIT_PER_SECOND", "1000000");
        env.put("CLIP4S_QUERY_RATE_LIMIT_BURST", "1000000");
        env.put("CLIP4S_QUERY_MODEL_WORKERS", Integer.toString(modelWorkers));
        env.put("CLIP4S_QUERY_MODEL_QUEUE", Integer.toString(modelQueue));
        env.put("CLIP4S_INGEST_FPS", "4");
        Duration phase = Duration.ofMillis(Math.round(seconds * 1000));
        try (AllInOne all = new AllInOne(
                        new AllInOne.Options(0, work.resolve("data"), model, 1, 3), env, step -> progress.println(step))
                .start()) {
            List<Path> samples = SampleVideos.write(all.mediaDir());
            progress.println("ingesting a first sample so searches have clips to find");
            register(all.ingestUri(), samples.subList(0, 1), "warm");
            awaitSearchable(all.pageUri());
            warmUp(all.pageUri());

            progress.printf(Locale.ROOT, "baseline: %.1f searches/s for %.1f s, no ingest%n", rate, seconds);
            LoadStats baseline = new LoadGenerator(all.pageUri()).run("baseline (no ingest)", phase, rate);

            // Enough copies of the samples that ingest is still busy when the phase ends.
            List<Path> copies = new ArrayList<>();
            int rounds = (int) Math.max(1, Math.ceil(seconds / SampleVideos.SECONDS)) + 1;
            for (int round = 0; round < rounds; round++) {
                copies.addAll(samples);
            }
            int registered = register(all.ingestUri(), copies, "load");
            progress.printf(
                    Locale.ROOT,
                    "under ingest: %.1f searches/s for %.1f s while %d sources ingest%n",
                    rate,
                    seconds,
                    registered);
            LoadStats loaded = new LoadGenerator(all.pageUri()).run("while ingesting", phase, rate);
            print(out, baseline, loaded, registered);
        }
        out.flush();
        return 0;
    }

    private void print(PrintWriter out, LoadStats baseline, LoadStats loaded, int sources) throws IOException {
        if (json) {
            Map<String, Object> object = new LinkedHashMap<>();
            object.put("benchmark", "load");
            object.put("seconds", seconds);
            object.put("rate", rate);
            object.put("requests", loaded.requests());
            object.put("ok", loaded.ok());
            object.put("rejected_503", loaded.rejected503());
            object.put("errors", loaded.errors());
            object.put("p50_ms", loaded.p50Millis());
            object.put("p99_ms", loaded.p99Millis());
            object.put("health_max_ms", loaded.healthMaxMillis());
            object.put("health_probes", loaded.healthProbes());
            object.put("health_failures", loaded.healthFailures());
            object.put("throughput_per_s", loaded.throughputPerSecond());
            object.put("sources_ingested", sources);
            object.put("baseline", baseline);
            out.println(new ObjectMapper().writeValueAsString(object));
            return;
        }
        out.printf(
                Locale.ROOT,
                "%-22s %8s %8s %6s %6s %10s %9s %9s %12s%n",
                "phase",
                "requests",
                "ok",
                "503",
                "errors",
                "answers/s",
                "p50 ms",
                "p99 ms",
                "health max");
        for (LoadStats stats : List.of(baseline, loaded)) {
            out.printf(
                    Locale.ROOT,
                    "%-22s %8d %8d %6d %6d %10.1f %9.1f %9.1f %12.1f%n",
                    stats.phase(),
                    stats.requests(),
                    stats.ok(),
                    stats.rejected503(),
                    stats.errors(),
                    stats.throughputPerSecond(),
                    stats.p50Millis(),
                    stats.p99Millis(),
                    stats.healthMaxMillis());
        }
        out.printf(Locale.ROOT, "%d sources registered for ingest during the second phase%n", sources);
    }

    /** Registers each file as a fresh source; returns how many the ingest API accepted. */
    private static int register(URI ingestApi, List<Path> files, String prefix)
            throws IOException, InterruptedException {
        HttpClient client = HttpClient.newHttpClient();
        ObjectMapper mapper = new ObjectMapper();
        int accepted = 0;
        for (int i = 0; i < files.size(); i++) {
            Path file = files.get(i);
            String id = prefix + "-" + i + "-" + file.getFileName().toString().replaceFirst("\\.mp4$", "");
            String body = mapper.writeValueAsString(
                    Map.of("sourceId", id, "uri", file.toAbsolutePath().toString()));
            HttpResponse<String> response = client.send(
                    HttpRequest.newBuilder(ingestApi.resolve("/sources"))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 202) {
                throw new IOException(
                        "Ingest refused " + file + ": HTTP " + response.statusCode() + " " + response.body());
            }
            accepted++;
        }
        return accepted;
    }

    /** A few searches one after another, so the baseline does not measure JIT compilation. */
    private static void warmUp(URI page) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newHttpClient();
        for (int i = 0; i < WARM_UP_SEARCHES; i++) {
            client.send(
                    HttpRequest.newBuilder(page.resolve("/search?k=10&q=warm%20up%20" + i))
                            .build(),
                    HttpResponse.BodyHandlers.discarding());
        }
    }

    /** Waits until a search finds at least one clip. */
    private static void awaitSearchable(URI page) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + SEARCHABLE_WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            HttpResponse<String> response = client.send(
                    HttpRequest.newBuilder(page.resolve("/search?q=shape&k=1")).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 200 && response.body().contains("\"clipId\"")) {
                return;
            }
            Thread.sleep(250);
        }
        throw new IOException("No clip became searchable within " + SEARCHABLE_WAIT);
    }
}
