package io.clip4stream.app.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4stream.query.QueryConfig;
import io.clip4stream.query.bench.RerankBenchmark;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code clip4stream bench rerank}: the tight re-rank alone, per query, next to its FLOP floor. */
@Command(
        name = "rerank",
        description = "The tight re-rank alone: one caption against N candidates' frame embeddings, scored as the"
                + " query service scores them (one lane per libtorch thread, its batch size) with no HTTP, JSON or"
                + " index around it; per-query p50/p90/p99 next to the FLOP floor (the head's FLOPs at the matmul"
                + " rate measured before and after in the same run).")
public final class BenchRerankCommand implements Callable<Integer> {
    @Spec
    private picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--candidates", defaultValue = "50", description = "Clips re-ranked per query N (default: 50).")
    private int candidates;

    @Option(names = "--frames", defaultValue = "12", description = "Frame embeddings per clip (default: 12).")
    private int frames;

    @Option(names = "--queries", defaultValue = "300", description = "Measured queries (default: 300).")
    private int queries;

    @Option(names = "--warmup", defaultValue = "30", description = "Unmeasured queries first (default: 30).")
    private int warmup;

    @Option(
            names = "--model-dir",
            defaultValue = ".clip4stream/bench/query-model-b32-text",
            description = "Model directory; generated as bench query's (ViT-B/32-shaped, random weights) if absent"
                    + " (default: ${DEFAULT-VALUE}).")
    private Path modelDir;

    @Option(
            names = "--threads",
            defaultValue = "2",
            description = "libtorch threads, and re-rank lanes, as CLIP4S_QUERY_MODEL_THREADS (default: 2).")
    private int threads;

    @Option(
            names = "--batch",
            description = "Clips per forward pass, as CLIP4S_QUERY_RERANK_BATCH (default: the service's, 64).")
    private Integer batch;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the embeddings (default: 42).")
    private long seed;

    @Option(names = "--json", description = "Print one JSON object.")
    private boolean json;

    @Override
    public Integer call() throws Exception {
        RerankBenchmark.Options options;
        try {
            options = new RerankBenchmark.Options(
                    candidates,
                    frames,
                    queries,
                    warmup,
                    modelDir,
                    threads,
                    batch != null ? batch : QueryConfig.DEFAULT_RERANK_BATCH,
                    seed);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        RerankBenchmark.Result result = RerankBenchmark.run(options);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(new ObjectMapper().writeValueAsString(fields(result)));
            out.flush();
            return 0;
        }
        RerankBenchmark.Latency latency = result.latencyMs();
        out.printf(
                Locale.ROOT,
                "tight re-rank alone: %s, N = %d candidates of %d frames, %d queries (%d warm-up), %d threads in %d"
                        + " lanes, batch %d%n",
                result.modelId(),
                candidates,
                frames,
                queries,
                warmup,
                threads,
                result.lanes(),
                options.batch());
        out.printf(
                Locale.ROOT,
                "per query: p50 %.1f  p90 %.1f  p99 %.1f  max %.1f  mean %.1f ms%n",
                latency.p50(),
                latency.p90(),
                latency.p99(),
                latency.max(),
                latency.mean());
        if (result.floorMs() > 0) {
            out.printf(
                    Locale.ROOT,
                    "floor: %.2f GFLOP at %.1f GFLOP/s (matmul before %.1f, after %.1f) = %.1f ms;"
                            + " p50 %.2fx, p99 %.2fx the floor%n",
                    result.tightGflopPerQuery(),
                    Math.max(result.matmulGflopsBefore(), result.matmulGflopsAfter()),
                    result.matmulGflopsBefore(),
                    result.matmulGflopsAfter(),
                    result.floorMs(),
                    result.p50OverFloor(),
                    result.p99OverFloor());
        } else {
            out.printf(
                    Locale.ROOT,
                    "floor: not counted (FLOPs are counted for the generated model's shape only); matmul before %.1f,"
                            + " after %.1f GFLOP/s%n",
                    result.matmulGflopsBefore(),
                    result.matmulGflopsAfter());
        }
        out.flush();
        return 0;
    }

    /** The JSON object: its keys are an interface other checks read. */
    static Map<String, Object> fields(RerankBenchmark.Result result) {
        RerankBenchmark.Options options = result.options();
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("modelId", result.modelId());
        fields.put("candidates", options.candidates());
        fields.put("frames", options.framesPerClip());
        fields.put("queries", options.queries());
        fields.put("warmup", options.warmup());
        fields.put("threads", options.threads());
        fields.put("lanes", result.lanes());
        fields.put("batch", options.batch());
        fields.put("latencyMs", result.latencyMs());
        fields.put("matmulGflopsBefore", result.matmulGflopsBefore());
        fields.put("matmulGflopsAfter", result.matmulGflopsAfter());
        fields.put("tightGflopPerQuery", result.tightGflopPerQuery());
        fields.put("floorMs", result.floorMs());
        fields.put("p50OverFloor", result.p50OverFloor());
        fields.put("p99OverFloor", result.p99OverFloor());
        return fields;
    }
}
