package io.clip4stream.query.bench;

import io.clip4stream.model.Clip4ClipModel;
import io.clip4stream.model.ModelOptions;
import io.clip4stream.model.bench.EncoderBenchmark;
import io.clip4stream.query.rerank.RerankLanes;
import io.clip4stream.query.rerank.TightReranker;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The tight re-rank alone: one caption against N candidates' frame embeddings, scored as the query service scores
 * them (its lanes, one per libtorch thread, and its batch size), with no HTTP, JSON or index in the way, timed per
 * query next to the FLOP floor at the matmul rate measured before and after in the same run. It separates the head's
 * own latency spread from what {@code bench query} adds around it.
 */
public final class RerankBenchmark {

    private static final double MATMUL_SECONDS = 3;

    /** Candidate sets drawn from, in turn, so that consecutive queries do not score the same arrays. */
    private static final int CANDIDATE_SETS = 4;

    /**
     * The benchmark's knobs.
     *
     * @param candidates clips re-ranked per query (N)
     * @param framesPerClip frame embeddings per clip
     * @param queries measured queries
     * @param warmup unmeasured queries first
     * @param modelDir model directory; generated as {@code bench query}'s (ViT-B/32-shaped, random weights) when absent
     * @param threads libtorch threads, and re-rank lanes, as the query service's {@code CLIP4S_QUERY_MODEL_THREADS}
     * @param batch clips per forward pass, as {@code CLIP4S_QUERY_RERANK_BATCH}
     * @param seed seed of the caption and frame embeddings
     */
    public record Options(
            int candidates,
            int framesPerClip,
            int queries,
            int warmup,
            Path modelDir,
            int threads,
            int batch,
            long seed) {

        /** Checks the ranges. */
        public Options {
            if (candidates < 1 || framesPerClip < 1 || queries < 1 || warmup < 0 || threads < 1 || batch < 1) {
                throw new IllegalArgumentException("candidates, frames, queries, threads and batch must be positive"
                        + " and warmup not negative; were " + candidates + ", " + framesPerClip + ", " + queries
                        + ", " + threads + ", " + batch + " and " + warmup);
            }
        }
    }

    /**
     * Percentiles of the per-query re-rank time, in milliseconds.
     *
     * @param p50 median
     * @param p90 90th percentile
     * @param p99 99th percentile
     * @param max slowest
     * @param mean mean
     */
    public record Latency(double p50, double p90, double p99, double max, double mean) {

        /** The percentiles of {@code millis} (nearest rank, as {@code bench query}'s). */
        static Latency of(double[] millis) {
            double[] sorted = millis.clone();
            Arrays.sort(sorted);
            return new Latency(
                    QueryBenchmark.percentile(sorted, 0.50),
                    QueryBenchmark.percentile(sorted, 0.90),
                    QueryBenchmark.percentile(sorted, 0.99),
                    sorted[sorted.length - 1],
                    Arrays.stream(sorted).average().orElse(0));
        }
    }

    /**
     * The benchmark's result.
     *
     * @param options what ran
     * @param modelId the model's id
     * @param lanes parts each query's candidates were split into
     * @param latencyMs per-query re-rank time
     * @param matmulGflopsBefore the matmul rate before the queries
     * @param matmulGflopsAfter the matmul rate after them
     * @param tightGflopPerQuery the head's matrix-product FLOPs per query, counted from the shapes (0 for a model
     *     whose cross-layer count is not known: only the generated shape's is)
     * @param floorMs those FLOPs at the faster of the two rates (0 when not counted)
     */
    public record Result(
            Options options,
            String modelId,
            int lanes,
            Latency latencyMs,
            double matmulGflopsBefore,
            double matmulGflopsAfter,
            double tightGflopPerQuery,
            double floorMs) {

        /** The median over the floor (0 when the floor was not counted). */
        public double p50OverFloor() {
            return floorMs > 0 ? latencyMs.p50() / floorMs : 0;
        }

        /** The 99th percentile over the floor (0 when the floor was not counted). */
        public double p99OverFloor() {
            return floorMs > 0 ? latencyMs.p99() / floorMs : 0;
        }
    }

    private RerankBenchmark() {}

    /** Runs the benchmark, generating the model first when its directory has none. */
    public static Result run(Options options) throws IOException {
        Path modelDir = options.modelDir();
        QueryBenchmark.generateModelIfAbsent(modelDir, options.seed());
        try (Clip4ClipModel model = Clip4ClipModel.load(
                        modelDir,
                        ModelOptions.defaults()
                                .withDevice(ModelOptions.DeviceChoice.CPU)
                                .withIntraOpThreads(options.threads()));
                RerankLanes lanes = new RerankLanes("bench", options.threads(), 1)) {
            if (!model.hasTightHead()) {
                throw new IllegalArgumentException(
                        "model " + model.info().modelId() + " in " + modelDir + " has no tightTransf head to time");
            }
            int dim = model.info().embedDim();
            SplittableRandom random = new SplittableRandom(options.seed());
            float[] caption = gaussian(random, dim);
            List<List<float[][]>> sets = new ArrayList<>();
            for (int s = 0; s < CANDIDATE_SETS; s++) {
                List<float[][]> clips = new ArrayList<>();
                for (int c = 0; c < options.candidates(); c++) {
                    float[][] frames = new float[options.framesPerClip()][];
                    for (int f = 0; f < frames.length; f++) {
                        frames[f] = gaussian(random, dim);
                    }
                    clips.add(frames);
                }
                sets.add(clips);
            }
            TightReranker reranker = new TightReranker(model, options.batch(), lanes);
            double matmulBefore = EncoderBenchmark.matmulGflops(options.threads(), MATMUL_SECONDS);
            for (int q = 0; q < options.warmup(); q++) {
                reranker.scores(caption, sets.get(q % CANDIDATE_SETS));
            }
            double[] millis = new double[options.queries()];
            for (int q = 0; q < options.queries(); q++) {
                List<float[][]> clips = sets.get(q % CANDIDATE_SETS);
                long start = System.nanoTime();
                float[] scores = reranker.scores(caption, clips);
                millis[q] = (System.nanoTime() - start) / 1e6;
                if (scores.length != clips.size() || !Float.isFinite(scores[0])) {
                    throw new IllegalStateException("the tight head returned " + scores.length + " scores for "
                            + clips.size() + " clips, the first " + scores[0]);
                }
            }
            double matmulAfter = EncoderBenchmark.matmulGflops(options.threads(), MATMUL_SECONDS);
            double gflop =
                    QueryBenchmark.tightGflopPerQuery(model.info(), options.candidates(), options.framesPerClip());
            double floor = gflop / Math.max(matmulBefore, matmulAfter) * 1000;
            return new Result(
                    options,
                    model.info().modelId(),
                    reranker.parts(options.candidates()),
                    Latency.of(millis),
                    matmulBefore,
                    matmulAfter,
                    gflop,
                    floor);
        }
    }

    /** Values of a unit-scale embedding: independent normals of variance 1 / dim. */
    private static float[] gaussian(SplittableRandom random, int dim) {
        float[] values = new float[dim];
        double scale = 1 / Math.sqrt(dim);
        for (int i = 0; i < dim; i++) {
            values[i] = (float) (random.nextGaussian() * scale);
        }
        return values;
    }
}
