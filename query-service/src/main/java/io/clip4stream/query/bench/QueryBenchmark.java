package io.clip4stream.query.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4stream.model.Clip4ClipModel;
import io.clip4stream.model.ModelOptions;
import io.clip4stream.model.bench.EncoderBenchmark;
import io.clip4stream.model.spec.LinearPatch;
import io.clip4stream.model.spec.SimilarityHead;
import io.clip4stream.model.tokenize.ClipTokenizer;
import io.clip4stream.model.weights.ModelDirectory;
import io.clip4stream.model.weights.TinyModelGenerator;
import io.clip4stream.model.weights.TinyModelShape;
import io.clip4stream.query.QueryConfig;
import io.clip4stream.query.QueryService;
import io.clip4stream.query.engine.QueryEncoder;
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
 * Measures query latency end to end through the query service's HTTP API: text encoding, gathering from index
 * instances holding {@code clips} embedding-like unit vectors (started by a {@link ShardFactory}: real Lucene shards
 * in the app, in-memory exact scans here), and tight re-ranking of the candidates, with a first-stage-only run
 * (re-ranking off) measured in the same run as the baseline, and the first stage's recall against an exact scan.
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
     * @param shortTextThreads libtorch intra-op threads of a short caption's text pass (the service's
     *     {@code CLIP4S_QUERY_SHORT_TEXT_THREADS})
     * @param seed seed of vectors and queries
     * @param index what the shards search with ({@code lucene} or {@code exact}), for readers of the result
     * @param frameEncoding how the shards store frame embeddings ({@code float32} for the exact scan, which keeps
     *     them as floats), for readers of the result
     * @param wireEncoding how candidates' frames travel from the shards to the query service in the measured modes (the
     *     service's {@code CLIP4S_QUERY_INDEX_FRAME_ENCODING}: {@code f32le-base64} or {@code packed-base64})
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
            int shortTextThreads,
            long seed,
            String index,
            String frameEncoding,
            String wireEncoding) {}

    /** Makes the clips' unit vectors: {@code count} rows of width {@code dim} from {@code seed}. */
    @FunctionalInterface
    public interface VectorSource {
        /** The vectors. */
        float[][] vectors(int count, int dim, long seed);
    }

    /**
     * The first stage's recall: the shards' top hits (as {@link BenchShard#nearest} finds them, merged by score)
     * against an exact scan over every clip, for the vectors of the benchmark's own first query texts.
     *
     * @param queries query texts measured
     * @param k hits per query
     * @param atK mean share of the exact top k among the shards' top k
     * @param candidates first-stage candidates N
     * @param atCandidates mean share of the exact top N among the shards' top N
     */
    public record Recall(int queries, int k, double atK, int candidates, double atCandidates) {}

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
     * @param gather scatter-gather (HTTP to the shards, their searches, JSON, merge)
     * @param rerank tight re-ranking
     * @param total the service's own total
     * @param endToEnd as the HTTP client saw it
     * @param scan the shards' search time alone (exact scan, or HNSW search and stored-field reads of the hits),
     *     per query (summed over shards)
     */
    public record ModeResult(Stat encode, Stat gather, Stat rerank, Stat total, Stat endToEnd, Stat scan) {}

    /**
     * The benchmark's result.
     *
     * @param options what ran
     * @param model the model's id, dims and whether it had the tight head
     * @param reranked the full path (re-ranking on), frame embeddings sent as {@link Options#wireEncoding}
     * @param firstStage the baseline (re-ranking off)
     * @param partialAnswers answers flagged partial (should be 0)
     * @param rerankedJsonFrames the full path with frame embeddings sent as JSON numbers (the older wire format)
     * @param compute the tight head's FLOPs per query (from the shapes) next to this CPU's matmul rate, measured
     *     before and after the modes, and the re-rank time that rate allows at best
     * @param firstStageRecall the shards' first-stage recall against an exact scan
     */
    public record Result(
            Options options,
            Map<String, Object> model,
            ModeResult reranked,
            ModeResult firstStage,
            int partialAnswers,
            ModeResult rerankedJsonFrames,
            Map<String, Object> compute,
            Recall firstStageRecall) {}

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

    /** Query texts whose first-stage recall is measured. */
    static final int RECALL_QUERIES = 20;

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

    /** Runs the benchmark over the shards {@code shardFactory} starts, holding the vectors {@code vectors} makes. */
    public static Result run(Options options, VectorSource vectors, ShardFactory shardFactory)
            throws IOException, InterruptedException {
        Path modelDir = options.modelDir();
        generateModelIfAbsent(modelDir, options.seed());
        try (Clip4ClipModel model = Clip4ClipModel.load(
                modelDir,
                ModelOptions.defaults()
                        .withDevice(ModelOptions.DeviceChoice.CPU)
                        .withIntraOpThreads(options.threads())
                        .withShortTextThreads(options.shortTextThreads()))) {
            int dim = model.info().embedDim();
            List<float[]> shardVectors = new ArrayList<>();
            List<List<String>> shardClipIds = new ArrayList<>();
            List<BenchShard> shards = new ArrayList<>();
            try {
                startShards(options, model.info(), vectors, shardFactory, shards, shardVectors, shardClipIds);
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
                // The service's own thread settings, as the model was loaded with.
                env.put("CLIP4S_QUERY_MODEL_THREADS", Integer.toString(options.threads()));
                env.put("CLIP4S_QUERY_SHORT_TEXT_THREADS", Integer.toString(options.shortTextThreads()));
                env.put("CLIP4S_QUERY_RATE_LIMIT_PER_SECOND", "1000000");
                env.put("CLIP4S_QUERY_RATE_LIMIT_BURST", "1000000");
                env.put("CLIP4S_QUERY_INDEX_FRAME_ENCODING", options.wireEncoding());
                // No broker here: the benchmark serves its one model, and a catalog consumer would only log retries.
                env.put("CLIP4S_QUERY_FOLLOW_MODELS", "false");
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
                    Recall recall = recall(options, model, shards, shardVectors, shardClipIds, dim);
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
                            compute(options, model.info(), matmulBefore, matmulAfter),
                            recall);
                } finally {
                    service.close();
                    jsonFrames.close();
                }
            } finally {
                shards.forEach(BenchShard::close);
            }
        }
    }

    /** Generates {@code bench query}'s model (ViT-B/32-shaped text tower, random weights) into {@code dir} if absent. */
    static void generateModelIfAbsent(Path dir, long seed) throws IOException {
        if (!Files.exists(dir.resolve(ModelDirectory.CONFIG_FILE))) {
            new TinyModelGenerator(seed).generate(dir, b32TextShape(), GENERATED_MODEL_ID);
        }
    }

    /**
     * The tight head's FLOPs for one query of {@code candidates} clips of {@code framesPerClip} frames, the last block
     * trimmed as the head runs it; 0 for a model other than the generated one, whose cross-layer count is not known.
     */
    static double tightGflopPerQuery(io.clip4stream.model.ModelInfo info, int candidates, int framesPerClip) {
        if (!info.tightHead() || !info.modelId().equals(GENERATED_MODEL_ID)) {
            return 0;
        }
        int tokens = 1 + Math.min(framesPerClip, info.maxFrames());
        return tightGflopPerQuery(
                candidates, tokens, info.embedDim(), b32TextShape().crossLayers(), true);
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
        double gflop = tightGflopPerQuery(info, options.candidates(), options.framesPerClip());
        if (gflop == 0) {
            compute.put("note", "FLOPs are counted for the generated " + GENERATED_MODEL_ID + " shape only");
            return compute;
        }
        TinyModelShape shape = b32TextShape();
        int tokens = 1 + Math.min(options.framesPerClip(), info.maxFrames());
        compute.put("tightGflopPerQuery", gflop);
        compute.put(
                "tightGflopPerQueryUntrimmed",
                tightGflopPerQuery(options.candidates(), tokens, info.embedDim(), shape.crossLayers(), false));
        // Every FLOP at the faster of the two matmul rates measured in this run: what re-ranking costs if it runs at
        // that rate (the load on a shared machine moves the rate between measurements, so this is an estimate).
        compute.put("tightMillisAtMatmulRate", gflop / Math.max(matmulBefore, matmulAfter) * 1000);
        return compute;
    }

    private static void startShards(
            Options options,
            io.clip4stream.model.ModelInfo info,
            VectorSource vectorSource,
            ShardFactory factory,
            List<BenchShard> shards,
            List<float[]> shardVectors,
            List<List<String>> shardClipIds)
            throws IOException {
        int dim = info.embedDim();
        byte[] thumbnail = new byte[3 * 1024]; // the size of a 96-pixel JPEG thumbnail, as the index sends it
        new SplittableRandom(options.seed()).nextBytes(thumbnail);
        // One call for all clips, so that every shard's vectors come from the same distribution.
        float[][] all = vectorSource.vectors(options.clips(), dim, options.seed());
        int perShard = (options.clips() + options.shards() - 1) / options.shards();
        for (int s = 0; s < options.shards(); s++) {
            int first = s * perShard;
            int count = Math.max(0, Math.min(perShard, options.clips() - first));
            List<InMemoryIndexServer.ClipInfo> clips = new ArrayList<>(count);
            float[] vectors = new float[count * dim];
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
                        info.modelVersion(),
                        thumbnail));
                System.arraycopy(all[first + i], 0, vectors, i * dim, dim);
                all[first + i] = null; // the rows are copied into the shard's array: let them go as we go
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
            shards.add(factory.start(new ShardFactory.Contents(s, info.modelId(), clips, vectors, dim, frameSource)));
            shardVectors.add(vectors);
            shardClipIds.add(
                    clips.stream().map(InMemoryIndexServer.ClipInfo::clipId).toList());
        }
    }

    private static Recall recall(
            Options options,
            Clip4ClipModel model,
            List<BenchShard> shards,
            List<float[]> shardVectors,
            List<List<String>> shardClipIds,
            int dim) {
        QueryEncoder encoder = new QueryEncoder(model, ClipTokenizer.withBundledVocabulary());
        // The texts of the re-ranked mode, its warm-up first: the benchmark's own queries.
        SplittableRandom random = new SplittableRandom(options.seed() + 1);
        int n = options.candidates();
        int queries = Math.min(RECALL_QUERIES, options.warmup() + options.queries());
        double atK = 0;
        double atN = 0;
        for (int q = 0; q < queries; q++) {
            float[] vector = encoder.encode(queryText(random)).vector();
            List<BenchShard.Hit> found = new ArrayList<>();
            shards.forEach(shard -> found.addAll(shard.nearest(vector, n)));
            found.sort((a, b) -> Float.compare(b.score(), a.score()));
            List<String> approximate =
                    found.stream().map(BenchShard.Hit::clipId).limit(n).toList();
            List<String> exact = exactTop(vector, n, shardVectors, shardClipIds, dim);
            atK += overlap(approximate, exact, options.k());
            atN += overlap(approximate, exact, n);
        }
        return queries == 0
                ? new Recall(0, options.k(), 0, n, 0)
                : new Recall(queries, options.k(), atK / queries, n, atN / queries);
    }

    /** The share of the first {@code k} of {@code exact} that are among the first {@code k} of {@code found}. */
    static double overlap(List<String> found, List<String> exact, int k) {
        List<String> truth = exact.subList(0, Math.min(k, exact.size()));
        if (truth.isEmpty()) {
            return 1;
        }
        java.util.Set<String> top = new java.util.HashSet<>(found.subList(0, Math.min(k, found.size())));
        return truth.stream().filter(top::contains).count() / (double) truth.size();
    }

    private static List<String> exactTop(
            float[] query, int k, List<float[]> shardVectors, List<List<String>> shardClipIds, int dim) {
        List<BenchShard.Hit> hits = new ArrayList<>();
        for (int s = 0; s < shardVectors.size(); s++) {
            float[] vectors = shardVectors.get(s);
            List<String> ids = shardClipIds.get(s);
            for (int i = 0; i < ids.size(); i++) {
                float score = 0;
                for (int d = 0; d < dim; d++) {
                    score += query[d] * vectors[i * dim + d];
                }
                hits.add(new BenchShard.Hit(ids.get(i), score));
            }
        }
        hits.sort((a, b) -> Float.compare(b.score(), a.score()));
        return hits.stream().map(BenchShard.Hit::clipId).limit(k).toList();
    }

    private static String queryText(SplittableRandom random) {
        return SUBJECTS[random.nextInt(SUBJECTS.length)] + " " + ACTIONS[random.nextInt(ACTIONS.length)] + " "
                + PLACES[random.nextInt(PLACES.length)];
    }

    private static ModeResult measure(
            QueryService service, List<BenchShard> shards, Options options, boolean rerank, int[] partial)
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
                String text = queryText(random);
                URI uri = URI.create(service.uri() + "/search?k=" + options.k() + "&candidates=" + options.candidates()
                        + "&rerank=" + rerank + "&q=" + URLEncoder.encode(text, StandardCharsets.UTF_8));
                long scanBefore =
                        shards.stream().mapToLong(BenchShard::scanNanos).sum();
                long start = System.nanoTime();
                HttpResponse<byte[]> response =
                        http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofByteArray());
                long elapsed = System.nanoTime() - start;
                long scanNanos =
                        shards.stream().mapToLong(BenchShard::scanNanos).sum() - scanBefore;
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
