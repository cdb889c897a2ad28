package io.clip4stream.app.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4stream.alert.bench.WatchBenchmark;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code clip4stream bench watch}: does standing-query matching keep up with a clip rate? */
@Command(
        name = "watch",
        mixinStandardHelpOptions = true,
        description = "Match Q standing queries against R clips a second on one thread, in real time: lag, p95 time"
                + " per clip, and the rate as a fraction of the bare matrix-vector product's (measured in the same"
                + " run).")
public final class BenchWatchCommand implements Callable<Integer> {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--queries", description = "Standing queries (default: 10000).", defaultValue = "10000")
    private int queries;

    @Option(names = "--clips-per-second", description = "Offered clip rate (default: 10).", defaultValue = "10")
    private double clipsPerSecond;

    @Option(names = "--seconds", description = "How long clips are offered (default: 10).", defaultValue = "10")
    private double seconds;

    @Option(names = "--dim", description = "Embedding width (default: 512).", defaultValue = "512")
    private int dim;

    @Option(names = "--seed", description = "Seed of the random vectors (default: 42).", defaultValue = "42")
    private long seed;

    @Option(names = "--json", description = "Print one JSON object.")
    private boolean json;

    @Override
    public Integer call() throws Exception {
        WatchBenchmark.Result result = new WatchBenchmark(
                        queries,
                        dim,
                        clipsPerSecond,
                        Duration.ofNanos(Math.round(seconds * 1e9)),
                        seed,
                        System::nanoTime)
                .run();
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("queries", result.queries());
            figures.put("clips_per_second", result.clipsPerSecond());
            figures.put("kept_up", result.keptUp());
            figures.put("max_lag_ms", result.maxLagMillis());
            figures.put("p95_scoring_ms", result.p95ScoringMillis());
            figures.put("fraction_of_matmul_rate", result.fractionOfMatmulRate());
            figures.put("matching_clips_per_second", result.matchingClipsPerSecond());
            figures.put("matmul_clips_per_second", result.matmulClipsPerSecond());
            figures.put("clips", result.clips());
            out.println(new ObjectMapper().writeValueAsString(figures));
        } else {
            out.printf(
                    Locale.ROOT,
                    "%d standing queries x %.1f clips/s for %d clips: %s%n",
                    result.queries(),
                    result.clipsPerSecond(),
                    result.clips(),
                    result.keptUp() ? "kept up" : "FELL BEHIND");
            out.printf(Locale.ROOT, "%-34s %12s%n", "", "value");
            out.printf(Locale.ROOT, "%-34s %12.2f%n", "max lag (ms)", result.maxLagMillis());
            out.printf(Locale.ROOT, "%-34s %12.2f%n", "p95 matching per clip (ms)", result.p95ScoringMillis());
            out.printf(
                    Locale.ROOT, "%-34s %12.1f%n", "matching, full speed (clips/s)", result.matchingClipsPerSecond());
            out.printf(Locale.ROOT, "%-34s %12.1f%n", "baseline: bare matmul (clips/s)", result.matmulClipsPerSecond());
            out.printf(Locale.ROOT, "%-34s %12.3f%n", "fraction of matmul rate", result.fractionOfMatmulRate());
        }
        out.flush();
        return result.keptUp() ? 0 : 1;
    }
}
