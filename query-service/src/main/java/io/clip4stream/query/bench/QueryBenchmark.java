package io.clip4stream.query.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4stream.model.Clip4ClipModel;
import io.clip4stream.model.ModelOptions;
import io.clip4stream.model.bench.EncoderBenchmark;
import io.clip4stream.model.spec.LinearPatch;
import io.clip4stream.model.spec.SimilarityHead;
import io.clip4stream.model.weights.ModelDirectory;
import io.clip4stream.model.weights.TinyModelGenerator;
import io.clip4stream.model.weights.TinyModelShape;
import io.clip4stream.query.QueryConfig;
import io.clip4stream.query.QueryService;
import io.clip4stream.runtime.config.Env;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Measures query latency end to end through the query service's HTTP API: text encoding, gathering from in-memory
 * exact-scan index instances holding {@code clips} random unit vectors, and tight re-ranking of the candidates, with a
 * first-stage-only run (re-ranking off) measured in the same run as the baseline.
 */
public final class QueryBenchmark {
    /**
     * The benchmark's knobs.
     *
     * @param clips indexed clips across all instances
     * @param shards index instances (the clips are split evenly)
     * @param candidates first-stage candidates N per query
     * @param k hits per query
     * @param queries measured queries per mode
     * @param warmup unmeasured queries before each mode
     * @param framesPerClip frame embeddings per clip sent for re-ranking
     * @param modelDir model directory; generated (ViT-B/32-shaped text tower, random weights) when absent
     * @param threads libtorch intra-op threads
     * @param seed seed of vectors and queries
     */
    public record Options(
            int clips,
            int shards,
            int candidates,
            int k,
            int queries,
            int warmup,
            int framesPerClip,
            Path modelDir,
            int threads,
            long seed) {}

    /**
     * Percentiles of one measured quantity, in milliseconds.
     *
     * @param p50 median
     * @param p99 99th percentile
     * @param mean mean
     */
    public record Stat(double p50, double p99, double mean) {}

    /**
     * The numbers of one mode.
     *
     * @param encode text tokenizing and encoding
     * @param gather scatter-gather (HTTP to the shards, their exact scans, JSON, merge)
     * @param rerank tight re-ranking
     * @param total the service's own total
     * @param endToEnd as the HTTP client saw it
     * @param scan the shards' vector scan time alone, per query (summed over shards)
     */
    public record ModeResult(Stat encode, Stat gather, Stat rerank, Stat total, Stat endToEnd, Stat scan) {}

    /**
     * The benchmark's result.
     *
     * @param options what ran
     * @param model the model's id, dims and whether it had the tight head
     * @param reranked the full path (re-ranking on), frame embeddings sent as base64 float32
     * @param firstStage the baseline (re-ranking off)
     * @param partialAnswers answers flagged partial (should be 0)
     * @param rerankedJsonFrames the full path with frame embeddings sent as JSON numbers (the older wire format)
     * @param compute the tight head's FLOPs per query (from the shapes) next to this CPU's matmul rate, measured
     *     before and after the modes, and the re-rank time that rate allows at best
     */
    public record Result(
            Options options,
            Map<String, Object> model,
            ModeResult reranked,
            ModeResult firstStage,
            int partialAnswers,
            ModeResult rerankedJsonFrames,
            Map<String, Object> compute) {}

    private static final String[] SUBJECTS = {
        "a man",
        "a woman",
        "two kids",
        "a dog",
        "a red car",
        "a cyclist",
        "people",
        "a chef",
        "a band",
        "a crowd",
        "an old man",
        "a girl"
    };
    private static final String[] ACTIONS = {
        "riding a bike",
        "walking",
        "cooking pasta",
        "playing guitar",
        "crossing the street",
        "dancing",
        "talking on the phone",
        "running",
        "swimming",
        "singing"
    };
    private static final String[] PLACES = {
        "in a park",
        "at night",
        "in the rain",
        "on a beach",
        "in a kitchen",
        "on stage",
        "downtown",
        "near a river",
        "in the snow",
        "at a market"
    };

    /** Model id of the model the benchmark generates. */
    public static final String GENERATED_MODEL_ID = "bench-b32-text";

    private static final double MATMUL_SECONDS = 3;

    private QueryBenchmark() {}

    /** The shape used when a model must be generated: a ViT-B/32 text tower and tight head, a token vision tower. */
    public static TinyModelShape b32TextShape() {
        // Text: width 512, 12 layers, 8 heads, CLIP's vocabulary, D = 512 (ViT-B/32's text tower); tight head: 4 cross
        // layers (CLIP4Clip's cross_num_hidden_layers); T = 12, L = 32 (CLIP4Clip's MSR-VTT defaults). The vision
        // tower is not used by queries and is kept tiny so the file stays small.
        return new TinyModelShape(
                64,
                1,
                16,
                32,
                512,
                12,
                TinyModelShape.CLIP_VOCAB_SIZE,
                512,
                4,
                12,
                32,
                SimilarityHead.MEAN_P,
                LinearPatch.TWO_D);
    }

    /** Runs the benchmark. */
    public static Result run(Options options) throws IOException, InterruptedException {
        Path modelDir = options.modelDir();
        if (!Files.exists(modelDir.resolve(ModelDirectory.CONFIG_FILE))) {
            new TinyModelGenerator(options.seed()).generate(modelDir, b32TextShape(), GENERATED_MODEL_ID);
        }
        try (Clip4ClipModel model = Clip4ClipModel.load(
                modelDir,
                ModelOptions.defaults()
                        .withDevice(ModelOptions.DeviceChoice.CPU)
                        .withIntraOpThreads(options.threads()))) {
            int dim = model.info().embedDim();
            List<InMemoryIndexServer> shards = startShards(options, model.info().modelVersion(), dim);
            try {
                Map<String, String> env = new HashMap<>();
                env.put("CLIP4S_QUERY_HTTP_PORT", "0");
                env.put("CLIP4S_QUERY_BIND_ADDRESS", "127.0.0.1");
                env.put("CLIP4S_QUERY_INDEX_DISCOVERY", "static");
                env.put(
                        "CLIP4S_QUERY_INDEX_URLS",
                        String.join(
                                ",",
                                shards.stream().map(s -> s.uri().toString()).toList()));
                env.put("CLIP4S_QUERY_SHARD_TIMEOUT_MS", "30000");
                env.put("CLIP4S_QUERY_RATE_LIMIT_PER_SECOND", "1000000");
                env.put("CLIP4S_QUERY_RATE_LIMIT_BURST", "1000000");
                double matmulBefore = EncoderBenchmark.matmulGflops(options.threads(), MATMUL_SECONDS);
                QueryService service = new QueryService(QueryConfig.fromEnv(new Env(env)), model);
                Map<String, String> jsonFramesEnv = new HashMap<>(env);
                jsonFramesEnv.put("CLIP4S_QUERY_INDEX_FRAME_ENCODING", "floats");
                QueryService jsonFrames = new QueryService(QueryConfig.fromEnv(new Env(jsonFramesEnv)), model);
                service.start();
                jsonFrames.start();
                try {
                    int[] partial = {0};
                    ModeResult reranked = measure(service, shards, options, true, partial);
                    ModeResult firstStage = measure(service, shards, options, false, partial);
                    ModeResult rerankedJsonFrames = measure(jsonFrames, shards, options, true, partial);
                    double matmulAfter = EncoderBenchmark.matmulGflops(options.threads(), MATMUL_SECONDS);
                    Map<String, Object> info = new LinkedHashMap<>();
                    info.put("modelId", model.info().modelId());
                    info.put("embedDim", dim);
                    info.put("maxWords", model.info().maxWords());
                    info.put("maxFrames", model.info().maxFrames());
                    info.put("tightHead", model.info().tightHead());
                    info.put("textTower", "width 512, 12 layers, 8 heads (ViT-B/32's), random weights");
                    return new Result(
                            options,
                            info,
                            reranked,
                            firstStage,
                            partial[0],
                            rerankedJsonFrames,
                            compute(options, model.info(), matmulBefore, matmulAfter));
                } finally {
                    service.close();
                    jsonFrames.close();
                }
            } finally {
                shards.forEach(InMemoryIndexServer::close);
            }
        }
    }

    /**
     * The tight head's matrix-product FLOPs for one query, counted from the shapes: N pairs of S = 1 + T tokens of
     * width W through L blocks (Q, K, V and output projections 8W², MLP 16W² per token, attention 4S²W per pair), the
     * last block for the text slot only (K and V for all S), then the pooler's dense layer.
     */
    static double tightGflopPerQuery(int candidates, int tokens, int width, int layers, boolean lastBlockTrimmed) {
        double w2 = (double) width * width;
        double fullBlock = tokens * 24 * w2 + 4.0 * tokens * tokens * width;
        double lastBlock = lastBlockTrimmed ? tokens * 4 * w2 + 20 * w2 + 4.0 * tokens * width : fullBlock;
        double pooler = 2 * w2 + 2.0 * width;
        return candidates * ((layers - 1) * fullBlock + lastBlock + pooler) / 1e9;
    }

    private static Map<String, Object> compute(
            Options options, io.clip4stream.model.ModelInfo info, double matmulBefore, double matmulAfter) {
        Map<String, Object> compute = new LinkedHashMap<>();
        compute.put("matmulGflopsBefore", matmulBefore);
        compute.put("matmulGflopsAfter", matmulAfter);
        if (!info.tightHead() || !info.modelId().equals(GENERATED_MODEL_ID)) {
            // The cross-layer count is known for the generated shape only.
            compute.put("note", "FLOPs are counted for the generated " + GENERATED_MODEL_ID + " shape only");
            return compute;
        }
        TinyModelShape shape = b32TextShape();
        int tokens = 1 + Math.min(options.framesPerClip(), info.maxFrames());
        double gflop = tightGflopPerQuery(options.candidates(), tokens, info.embedDim(), shape.crossLayers(), true);
        compute.put("tightGflopPerQuery", gflop);
        compute.put(
                "tightGflopPerQueryUntrimmed",
                tightGflopPerQuery(options.candidates(), tokens, info.embedDim(), shape.crossLayers(), false));
        // Every FLOP at the faster of the two matmul rates measured in this run: what re-ranking costs if it runs at
        // that rate (the load on a shared machine moves the rate between measurements, so this is an estimate).
        compute.put("tightMillisAtMatmulRate", gflop / Math.max(matmulBefore, matmulAfter) * 1000);
        return compute;
    }

    private static List<InMemoryIndexServer> startShards(Options options, String modelVersion, int dim) {
        List<InMemoryIndexServer> shards = new ArrayList<>();
        byte[] thumbnail = new byte[3 * 1024]; // the size of a 96-pixel JPEG thumbnail, as the index sends it
        new SplittableRandom(options.seed()).nextBytes(thumbnail);
        int perShard = (options.clips() + options.shards() - 1) / options.shards();
        for (int s = 0; s < options.shards(); s++) {
            int first = s * perShard;
            int count = Math.max(0, Math.min(perShard, options.clips() - first));
            List<InMemoryIndexServer.ClipInfo> clips = new ArrayList<>(count);
            float[] vectors = new float[count * dim];
            SplittableRandom random = new SplittableRandom(options.seed() * 31 + s);
            for (int i = 0; i < count; i++) {
                String source = "source-" + ((first + i) / 500);
                long clipIndex = (first + i) % 500;
                clips.add(new InMemoryIndexServer.ClipInfo(
                        source + ":" + clipIndex,
                        source,
                        clipIndex,
                        clipIndex * 12_000_000L,
                        (clipIndex + 1) * 12_000_000L,
                        "default",
                        List.of(),
                        modelVersion,
                        thumbnail));
                unitGaussian(random, vectors, i * dim, dim);
            }
            int frames = options.framesPerClip();
            long seed = options.seed();
            InMemoryIndexServer.FrameSource frameSource = ordinal -> {
                SplittableRandom r = new SplittableRandom(seed ^ (ordinal * 0x9E3779B97F4A7C15L));
                float[][] embeddings = new float[frames][dim];
                for (float[] frame : embeddings) {
                    for (int d = 0; d < dim; d++) {
                        frame[d] = (float) (r.nextDouble() * 2 - 1);
                    }
                }
                return embeddings;
            };
            shards.add(new InMemoryIndexServer(clips, vectors, dim, frameSource, List.of(s)));
        }
        return shards;
    }

    private static void unitGaussian(SplittableRandom random, float[] into, int offset, int dim) {
        double norm = 0;
        for (int d = 0; d < dim; d++) {
            float v = (float) random.nextGaussian();
            into[offset + d] = v;
            norm += v * v;
        }
        float scale = (float) (1 / Math.sqrt(norm));
        for (int d = 0; d < dim; d++) {
            into[offset + d] *= scale;
        }
    }

    private static ModeResult measure(
            QueryService service, List<InMemoryIndexServer> shards, Options options, boolean rerank, int[] partial)
            throws IOException, InterruptedException {
        ObjectMapper json = new ObjectMapper();
        SplittableRandom random = new SplittableRandom(options.seed() + (rerank ? 1 : 2));
        int n = options.queries();
        double[] encode = new double[n];
        double[] gather = new double[n];
        double[] rerankMs = new double[n];
        double[] total = new double[n];
        double[] endToEnd = new double[n];
        double[] scan = new double[n];
        try (HttpClient http =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            for (int q = -options.warmup(); q < n; q++) {
                String text = SUBJECTS[random.nextInt(SUBJECTS.length)] + " " + ACTIONS[random.nextInt(ACTIONS.length)]
                        + " " + PLACES[random.nextInt(PLACES.length)];
                URI uri = URI.create(service.uri() + "/search?k=" + options.k() + "&candidates=" + options.candidates()
                        + "&rerank=" + rerank + "&q=" + URLEncoder.encode(text, StandardCharsets.UTF_8));
                long scanBefore = shards.stream()
                        .mapToLong(InMemoryIndexServer::scanNanos)
                        .sum();
                long start = System.nanoTime();
                HttpResponse<byte[]> response =
                        http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofByteArray());
                long elapsed = System.nanoTime() - start;
                long scanNanos = shards.stream()
                                .mapToLong(InMemoryIndexServer::scanNanos)
                                .sum()
                        - scanBefore;
                if (response.statusCode() != 200) {
                    throw new IOException("search answered " + response.statusCode() + ": "
                            + new String(response.body(), StandardCharsets.UTF_8));
                }
                JsonNode result = json.readTree(response.body());
                if (result.get("reranked").asBoolean()
                        != (rerank && result.get("rerankNote").isNull())) {
                    throw new IllegalStateException("unexpected re-rank state: " + result.get("rerankNote"));
                }
                if (q < 0) {
                    continue;
                }
                if (result.get("partial").asBoolean()) {
                    partial[0]++;
                }
                JsonNode timings = result.get("timings");
                encode[q] = timings.get("encodeMicros").asLong() / 1000.0;
                gather[q] = timings.get("gatherMicros").asLong() / 1000.0;
                rerankMs[q] = timings.get("rerankMicros").asLong() / 1000.0;
                total[q] = timings.get("totalMicros").asLong() / 1000.0;
                endToEnd[q] = elapsed / 1e6;
                scan[q] = scanNanos / 1e6;
            }
        }
        return new ModeResult(stat(encode), stat(gather), stat(rerankMs), stat(total), stat(endToEnd), stat(scan));
    }

    private static Stat stat(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return new Stat(
                percentile(sorted, 0.50),
                percentile(sorted, 0.99),
                Arrays.stream(sorted).average().orElse(0));
    }

    /** Nearest-rank percentile of sorted values. */
    static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
