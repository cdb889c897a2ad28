package io.clip4stream.app.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.clip4stream.index.bench.EmbeddingLikeVectors;
import io.clip4stream.model.ModelOptions;
import io.clip4stream.query.QueryConfig;
import io.clip4stream.query.bench.QueryBenchmark;
import io.clip4stream.query.bench.ShardFactory;
import io.clip4stream.query.fanout.IndexWire;
import io.clip4stream.schemas.frames.FrameEncoding;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code clip4stream bench query}: query latency split into text encoding, gather and re-rank. */
@Command(
        name = "query",
        description = "Query latency (p50/p99) through the query service over index shards (real Lucene HNSW"
                + " indexes by default, or in-memory exact scans): text encoding, gather and tight re-rank, with"
                + " first-stage-only as the baseline, and the shards' first-stage recall against an exact scan.")
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

    @Option(
            names = "--short-text-threads",
            description = "libtorch intra-op threads of a short caption's text pass, as CLIP4S_QUERY_SHORT_TEXT_THREADS"
                    + " (default: the service default, 1).")
    private Integer shortTextThreads;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of vectors and queries (default: 42).")
    private long seed;

    @Option(
            names = "--index",
            defaultValue = "lucene",
            description = "What the shards search with: lucene (a real index-service Lucene HNSW index per shard,"
                    + " served by the index service's own query routes, force-merged to one segment) or exact (an"
                    + " in-memory exact scan, the older baseline) (default: lucene).")
    private String index;

    @Option(
            names = "--frame-encoding",
            defaultValue = "float16",
            description = "How the Lucene shards store frame embeddings: float32, float16 (what the bundled default"
                    + " model stores) or int8 (default: float16). The exact scan keeps floats.")
    private String frameEncoding;

    @Option(
            names = "--wire-encoding",
            defaultValue = QueryConfig.DEFAULT_INDEX_FRAME_ENCODING,
            description =
                    "How candidates' frame embeddings travel from the shards in the measured modes, as"
                            + " CLIP4S_QUERY_INDEX_FRAME_ENCODING: f32le-base64 or packed-base64 (as the shards store them)"
                            + " (default: the service's, ${DEFAULT-VALUE}). The JSON-numbers baseline mode always sends floats.")
    private String wireEncoding;

    @Option(
            names = "--work-dir",
            description = "Where the Lucene shards are built, in a temporary directory deleted at the end"
                    + " (default: the system's temporary directory).")
    private Path workDir;

    @Option(names = "--json", description = "Print one JSON object.")
    private boolean json;

    @Override
    public Integer call() throws Exception {
        boolean lucene = switch (index) {
            case "lucene" -> true;
            case "exact" -> false;
            default ->
                throw new ParameterException(
                        spec.commandLine(), "--index must be lucene or exact; was '" + index + "'");
        };
        if (!wireEncoding.equals(IndexWire.F32LE_BASE64) && !wireEncoding.equals(IndexWire.PACKED_BASE64)) {
            throw new ParameterException(
                    spec.commandLine(),
                    "--wire-encoding must be f32le-base64 or packed-base64; was '" + wireEncoding + "'");
        }
        FrameEncoding encoding;
        try {
            encoding = FrameEncoding.fromName(frameEncoding);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--frame-encoding: " + e.getMessage(), e);
        }
        QueryBenchmark.Options options = new QueryBenchmark.Options(
                clips,
                shards,
                candidates,
                k,
                queries,
                warmup,
                frames,
                modelDir,
                threads,
                shortTextThreads != null ? shortTextThreads : ModelOptions.DEFAULT_SHORT_TEXT_THREADS,
                seed,
                index,
                lucene ? encoding.configName() : FrameEncoding.FLOAT32.configName(),
                wireEncoding);
        QueryBenchmark.Result result;
        if (lucene) {
            Path base =
                    workDir != null ? Files.createDirectories(workDir) : Path.of(System.getProperty("java.io.tmpdir"));
            Path dir = Files.createTempDirectory(base, "clip4stream-bench-query-");
            try {
                PrintWriter err = spec.commandLine().getErr();
                err.printf(
                        Locale.ROOT,
                        "building %d Lucene shards of %d clips in all under %s (HNSW defaults, frames %s)...%n",
                        shards,
                        clips,
                        dir,
                        encoding.configName());
                err.flush();
                result = QueryBenchmark.run(
                        options, EmbeddingLikeVectors::synthetic, LuceneBenchShard.factory(dir, encoding, err));
            } finally {
                // Each shard deletes its own index when closed; this removes what is left (the directory itself).
                Files.deleteIfExists(dir);
            }
        } else {
            result = QueryBenchmark.run(options, EmbeddingLikeVectors::synthetic, ShardFactory.EXACT);
        }
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
                "query latency: %d clips on %d %s shards%s, N = %d candidates, k = %d, %d queries per mode"
                        + " (%d warm-up), %d frames per clip, %d libtorch threads%n",
                clips,
                shards,
                index,
                lucene ? " (HNSW defaults, force-merged to one segment, frames " + encoding.configName() + ")" : "",
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
        row(out, "  of which shard searches", result.reranked().scan());
        row(out, "rerank on:  rerank", result.reranked().rerank());
        row(out, "rerank on:  total (service)", result.reranked().total());
        row(out, "rerank on:  end to end", result.reranked().endToEnd());
        row(out, "baseline:   encode", result.firstStage().encode());
        row(out, "baseline:   gather", result.firstStage().gather());
        row(out, "  of which shard searches", result.firstStage().scan());
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
        QueryBenchmark.Recall recall = result.firstStageRecall();
        out.printf(
                Locale.ROOT,
                "first-stage recall against an exact scan (%d query texts): %.4f at k = %d, %.4f at N = %d%n",
                recall.queries(),
                recall.atK(),
                recall.k(),
                recall.atCandidates(),
                recall.candidates());
        out.printf(Locale.ROOT, "partial answers: %d%n", result.partialAnswers());
        out.flush();
        return 0;
    }

    private static void row(PrintWriter out, String name, QueryBenchmark.Stat stat) {
        out.printf(Locale.ROOT, "%-28s %10.2f %10.2f %10.2f%n", name, stat.p50(), stat.p99(), stat.mean());
    }
}
