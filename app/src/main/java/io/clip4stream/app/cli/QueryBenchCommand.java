package io.clip4stream.app.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.clip4stream.query.bench.QueryBenchmark;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code clip4stream bench query}: query latency split into text encoding, gather and re-rank. */
@Command(
        name = "query",
        description = "Query latency (p50/p99) through the query service over in-memory exact-scan index shards:"
                + " text encoding, gather and tight re-rank, with first-stage-only as the baseline.")
public final class QueryBenchCommand implements Callable<Integer> {
    @Spec
    private picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--clips", defaultValue = "100000", description = "Indexed clips (default: 100000).")
    private int clips;

    @Option(names = "--shards", defaultValue = "2", description = "Index instances (default: 2).")
    private int shards;

    @Option(names = "--candidates", defaultValue = "50", description = "First-stage candidates N (default: 50).")
    private int candidates;

    @Option(names = "--k", defaultValue = "10", description = "Hits per query (default: 10).")
    private int k;

    @Option(names = "--queries", defaultValue = "200", description = "Measured queries per mode (default: 200).")
    private int queries;

    @Option(names = "--warmup", defaultValue = "30", description = "Unmeasured queries first (default: 30).")
    private int warmup;

    @Option(names = "--frames", defaultValue = "12", description = "Frame embeddings per clip (default: 12).")
    private int frames;

    @Option(
            names = "--model-dir",
            defaultValue = ".clip4stream/bench/query-model-b32-text",
            description = "Model directory; generated with a ViT-B/32-shaped text tower (random weights) if absent.")
    private Path modelDir;

    @Option(names = "--threads", defaultValue = "2", description = "libtorch intra-op threads (default: 2).")
    private int threads;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of vectors and queries (default: 42).")
    private long seed;

    @Option(names = "--json", description = "Print one JSON object.")
    private boolean json;

    @Override
    public Integer call() throws Exception {
        QueryBenchmark.Result result = QueryBenchmark.run(new QueryBenchmark.Options(
                clips, shards, candidates, k, queries, warmup, frames, modelDir, threads, seed));
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(new ObjectMapper()
                    .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                    .writeValueAsString(result));
            out.flush();
            return 0;
        }
        out.printf(
                Locale.ROOT,
                "query latency: %d clips on %d shards, N = %d candidates, k = %d, %d queries per mode (%d warm-up),"
                        + " %d frames per clip, %d libtorch threads%n",
                clips,
                shards,
                candidates,
                k,
                queries,
                warmup,
                frames,
                threads);
        out.printf(Locale.ROOT, "model: %s%n", result.model());
        out.printf(Locale.ROOT, "%-28s %10s %10s %10s%n", "stage (ms)", "p50", "p99", "mean");
        row(out, "rerank on:  encode", result.reranked().encode());
        row(out, "rerank on:  gather", result.reranked().gather());
        row(out, "  of which shard scans", result.reranked().scan());
        row(out, "rerank on:  rerank", result.reranked().rerank());
        row(out, "rerank on:  total (service)", result.reranked().total());
        row(out, "rerank on:  end to end", result.reranked().endToEnd());
        row(out, "baseline:   encode", result.firstStage().encode());
        row(out, "baseline:   gather", result.firstStage().gather());
        row(out, "baseline:   total (service)", result.firstStage().total());
        row(out, "baseline:   end to end", result.firstStage().endToEnd());
        row(out, "JSON frames: gather", result.rerankedJsonFrames().gather());
        row(out, "JSON frames: rerank", result.rerankedJsonFrames().rerank());
        row(out, "JSON frames: total (service)", result.rerankedJsonFrames().total());
        Map<String, Object> compute = result.compute();
        out.printf(
                Locale.ROOT,
                "matmul rate (fp32, %d threads): %.1f GFLOP/s before, %.1f after the modes%n",
                threads,
                (Double) compute.get("matmulGflopsBefore"),
                (Double) compute.get("matmulGflopsAfter"));
        if (compute.containsKey("tightGflopPerQuery")) {
            out.printf(
                    Locale.ROOT,
                    "tight head: %.2f GFLOP per query (%.2f without the last-block trim)"
                            + " = %.1f ms at the faster matmul rate measured%n",
                    (Double) compute.get("tightGflopPerQuery"),
                    (Double) compute.get("tightGflopPerQueryUntrimmed"),
                    (Double) compute.get("tightMillisAtMatmulRate"));
        } else {
            out.printf(Locale.ROOT, "tight head FLOPs: %s%n", compute.get("note"));
        }
        out.printf(Locale.ROOT, "partial answers: %d%n", result.partialAnswers());
        out.flush();
        return 0;
    }

    private static void row(PrintWriter out, String name, QueryBenchmark.Stat stat) {
        out.printf(Locale.ROOT, "%-28s %10.2f %10.2f %10.2f%n", name, stat.p50(), stat.p99(), stat.mean());
    }
}
