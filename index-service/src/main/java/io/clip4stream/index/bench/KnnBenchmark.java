package io.clip4stream.index.bench;

import io.clip4stream.index.lucene.HnswSettings;
import io.clip4stream.index.lucene.LuceneClipStore;
import io.clip4stream.index.store.ClipFilter;
import io.clip4stream.index.store.ClipHit;
import io.clip4stream.schemas.avro.ClipVector;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.lucene.util.VectorUtil;

/**
 * {@code bench knn}: builds our Lucene clip store once per vector format (float HNSW with the service's settings, then
 * quantized ones) over the same vectors and measures recall@k and single-thread QPS against an exact scan, plus build
 * time, index size, bytes per vector and heap. A quantized graph's candidates (efSearch of them, so an oversampling of
 * efSearch / k) are rescored with the raw floats by the store itself, as in the service.
 */
public final class KnnBenchmark {

    static final String MODEL_VERSION = "bench";
    private static final long MICROS = 1_000_000L;

    /** HNSW queries timed back to back before the exact scans of the same queries are timed. */
    static final int TIMING_BLOCK = 50;

    /**
     * What to run.
     *
     * @param count vectors to index
     * @param dimension dimension of synthetic vectors (ignored with a vectors file)
     * @param queries queries to time (held out from the indexed vectors)
     * @param k neighbours per query
     * @param vectorsFile real vectors instead of synthetic ones
     * @param workDir where the indexes are built (deleted afterwards)
     * @param settings the HNSW settings of every index but their quantization
     * @param formats the quantization of each index built, in order
     * @param merge whether to also merge each index into one segment and measure it again
     * @param seed seed of the synthetic vectors
     * @param sweep further efSearch values to measure each index's last state with (reopened, not rebuilt)
     */
    public record Options(
            int count,
            int dimension,
            int queries,
            int k,
            Optional<Path> vectorsFile,
            Path workDir,
            HnswSettings settings,
            List<HnswSettings.Quantization> formats,
            boolean merge,
            long seed,
            List<Integer> sweep) {

        /** Validates the options. */
        public Options {
            if (count < 1 || dimension < 1 || queries < 1 || k < 1) {
                throw new IllegalArgumentException("count, dimension, queries and k must be positive");
            }
            Objects.requireNonNull(vectorsFile, "vectorsFile");
            Objects.requireNonNull(workDir, "workDir");
            Objects.requireNonNull(settings, "settings");
            sweep = List.copyOf(sweep);
            // The settings reject an efSearch outside their limits.
            sweep.forEach(settings::withSearchCandidates);
            formats = List.copyOf(formats);
            if (formats.isEmpty()) {
                throw new IllegalArgumentException("at least one format is needed");
            }
        }
    }

    /**
     * Search figures of one index state.
     *
     * @param segments segments searched
     * @param recall mean recall@k against the exact scan
     * @param qps queries per second, one thread
     * @param p50Millis median query latency
     * @param p95Millis 95th percentile query latency
     * @param exactQps exact-scan queries per second timed alongside: every block of {@value #TIMING_BLOCK} HNSW queries
     *     is followed by the exact scans of the same queries, so both see the same machine load
     */
    public record SearchFigures(
            int segments, double recall, double qps, double p50Millis, double p95Millis, double exactQps) {

        /** HNSW QPS divided by the exact-scan QPS timed alongside. */
        public double speedup() {
            return qps / exactQps;
        }
    }

    /**
     * Figures of one index format.
     *
     * @param format float32, int8, ...
     * @param settings the HNSW settings used
     * @param buildSeconds time to add every vector and commit
     * @param asBuilt search figures right after the build (several segments)
     * @param mergeSeconds time to merge into one segment (0 when not merged)
     * @param merged search figures on one segment (equal to asBuilt when not merged)
     * @param indexBytes size of the index directory
     * @param vectorFileBytes of which vector and graph files
     * @param bytesPerVector vector and graph file bytes per vector (raw floats included: they are kept for rescoring)
     * @param searchBytesPerVector bytes per vector of the files a graph search walks (graph plus the quantized vectors,
     *     or plus the raw floats for float32): what must stay in the page cache for queries to be fast; rescoring reads
     *     only efSearch raw vectors per query
     * @param heapBytesPer100k heap held by the open store, per 100k vectors
     * @param speedupOverExact QPS of the last state measured divided by the exact-scan QPS timed alongside it
     * @param sweep the last state measured again with each further efSearch of the options
     */
    public record FormatFigures(
            String format,
            String settings,
            double buildSeconds,
            SearchFigures asBuilt,
            double mergeSeconds,
            SearchFigures merged,
            long indexBytes,
            long vectorFileBytes,
            double bytesPerVector,
            double searchBytesPerVector,
            long heapBytesPer100k,
            double speedupOverExact,
            List<SweepPoint> sweep) {}

    /**
     * One efSearch of a sweep.
     *
     * @param searchCandidates the efSearch used
     * @param figures the search figures with it
     */
    public record SweepPoint(int searchCandidates, SearchFigures figures) {}

    /**
     * Every figure of a run.
     *
     * @param vectors indexed vectors
     * @param dimension their dimension
     * @param queries timed queries
     * @param k neighbours per query
     * @param data where the vectors came from
     * @param exactQps exact-scan queries per second, one thread
     * @param exactP50Millis exact-scan median latency
     * @param formats one entry per index format
     * @param bestFormat the format with recall at least {@value #RECALL_TARGET} at the highest QPS relative to the
     *     exact scan timed alongside it (last state measured), or {@code "none"}
     * @param cores available processors
     */
    public record Result(
            int vectors,
            int dimension,
            int queries,
            int k,
            String data,
            double exactQps,
            double exactP50Millis,
            List<FormatFigures> formats,
            String bestFormat,
            int cores) {}

    /** Recall@k a format must reach to be called best. */
    public static final double RECALL_TARGET = 0.95;

    private KnnBenchmark() {}

    /** Runs the benchmark, printing progress to {@code progress}. */
    public static Result run(Options options, PrintWriter progress) throws IOException {
        float[][] all;
        String data;
        if (options.vectorsFile().isPresent()) {
            all = EmbeddingLikeVectors.read(options.vectorsFile().get());
            if (all.length <= options.queries()) {
                throw new IllegalArgumentException(options.vectorsFile().get() + " holds " + all.length
                        + " vectors; more than --queries (" + options.queries() + ") are needed");
            }
            int used = Math.min(all.length, options.count() + options.queries());
            all = Arrays.copyOf(all, used);
            data = "file " + options.vectorsFile().get();
        } else {
            progress.printf(
                    "generating %d embedding-like %d-d vectors...%n",
                    options.count() + options.queries(), options.dimension());
            progress.flush();
            all = EmbeddingLikeVectors.synthetic(
                    options.count() + options.queries(), options.dimension(), options.seed());
            data = "synthetic: intrinsic dimension " + EmbeddingLikeVectors.INTRINSIC_DIMENSION + ", noise "
                    + EmbeddingLikeVectors.NOISE + ", seed " + options.seed();
        }
        int queryCount = options.queries();
        float[][] indexed = Arrays.copyOf(all, all.length - queryCount);
        float[][] queries = Arrays.copyOfRange(all, all.length - queryCount, all.length);
        int k = options.k();

        progress.printf("exact scan of %d queries over %d vectors...%n", queryCount, indexed.length);
        progress.flush();
        int[][] truth = new int[queryCount][];
        long[] exactNanos = new long[queryCount];
        for (int q = 0; q < queryCount; q++) {
            long start = System.nanoTime();
            truth[q] = exactTopK(indexed, queries[q], k);
            exactNanos[q] = System.nanoTime() - start;
        }
        double exactQps = queryCount / (Arrays.stream(exactNanos).sum() / 1e9);

        List<FormatFigures> formats = new ArrayList<>();
        for (HnswSettings.Quantization quantization : options.formats()) {
            HnswSettings settings = options.settings().withQuantization(quantization);
            formats.add(runFormat(
                    settings,
                    indexed,
                    queries,
                    truth,
                    k,
                    options.workDir(),
                    options.merge(),
                    options.sweep(),
                    progress));
        }
        return new Result(
                indexed.length,
                indexed[0].length,
                queryCount,
                k,
                data,
                exactQps,
                percentile(exactNanos, 0.5) / 1e6,
                formats,
                best(formats),
                Runtime.getRuntime().availableProcessors());
    }

    /** The format reaching {@link #RECALL_TARGET} at the highest speed-up over the exact scan, or "none". */
    static String best(List<FormatFigures> formats) {
        return formats.stream()
                .filter(format -> format.merged().recall() >= RECALL_TARGET)
                .max(Comparator.comparingDouble(FormatFigures::speedupOverExact))
                .map(FormatFigures::format)
                .orElse("none");
    }

    private static FormatFigures runFormat(
            HnswSettings settings,
            float[][] indexed,
            float[][] queries,
            int[][] truth,
            int k,
            Path workDir,
            boolean merge,
            List<Integer> sweep,
            PrintWriter progress)
            throws IOException {
        String format = settings.quantization().name().toLowerCase(Locale.ROOT);
        Path dir = workDir.resolve("knn-" + format);
        deleteRecursively(dir);
        long heapBefore = usedHeap();
        LuceneClipStore store =
                new LuceneClipStore("bench-" + format, settings, Duration.ofHours(1), Duration.ofHours(1));
        progress.printf("building %s index of %d vectors (%s)...%n", format, indexed.length, settings);
        progress.flush();
        try {
            long start = System.nanoTime();
            store.open(dir);
            for (int i = 0; i < indexed.length; i++) {
                store.put(clip(i, indexed[i]));
            }
            store.flush();
            store.refresh();
            double buildSeconds = (System.nanoTime() - start) / 1e9;
            SearchFigures asBuilt = search(store, indexed, queries, truth, k);
            long heapBytes = Math.max(0, usedHeap() - heapBefore);
            progress.printf(
                    "  built in %.1f s, %d segments: recall %.4f, %.1f QPS, %.1fx the exact scan alongside%n",
                    buildSeconds, asBuilt.segments(), asBuilt.recall(), asBuilt.qps(), asBuilt.speedup());
            progress.flush();
            double mergeSeconds = 0;
            SearchFigures merged = asBuilt;
            if (merge) {
                long mergeStart = System.nanoTime();
                store.forceMerge(1);
                mergeSeconds = (System.nanoTime() - mergeStart) / 1e9;
                merged = search(store, indexed, queries, truth, k);
                progress.printf(
                        "  merged in %.1f s: recall %.4f, %.1f QPS, %.1fx the exact scan alongside%n",
                        mergeSeconds, merged.recall(), merged.qps(), merged.speedup());
                progress.flush();
            }
            long[] sizes = sizes(dir, settings.quantization() != HnswSettings.Quantization.FLOAT32);
            List<SweepPoint> points = new ArrayList<>();
            for (int candidates : sweep) {
                // efSearch is a setting of the open store: reopen the same index with another one.
                store.close();
                store = new LuceneClipStore(
                        "bench-" + format,
                        settings.withSearchCandidates(candidates),
                        Duration.ofHours(1),
                        Duration.ofHours(1));
                store.open(dir);
                progress.printf("  efSearch %d...%n", candidates);
                progress.flush();
                points.add(new SweepPoint(candidates, search(store, indexed, queries, truth, k)));
            }
            return new FormatFigures(
                    format,
                    settings.toString(),
                    buildSeconds,
                    asBuilt,
                    mergeSeconds,
                    merged,
                    sizes[0],
                    sizes[1],
                    (double) sizes[1] / indexed.length,
                    (double) sizes[2] / indexed.length,
                    heapBytes * 100_000L / indexed.length,
                    merged.speedup(),
                    List.copyOf(points));
        } finally {
            store.close();
            deleteRecursively(dir);
        }
    }

    private static SearchFigures search(
            LuceneClipStore store, float[][] indexed, float[][] queries, int[][] truth, int k) {
        ClipFilter filter = ClipFilter.modelVersion(MODEL_VERSION);
        int warmup = Math.min(100, queries.length);
        // Hits without floats: the k-NN the query service's first phase asks for (frames come in a second phase).
        for (int q = 0; q < warmup; q++) {
            store.nearestWithoutFloats(queries[q], k, filter);
        }
        long[] nanos = new long[queries.length];
        long exactNanos = 0;
        double recallSum = 0;
        for (int from = 0; from < queries.length; from += TIMING_BLOCK) {
            int to = Math.min(queries.length, from + TIMING_BLOCK);
            for (int q = from; q < to; q++) {
                long start = System.nanoTime();
                List<ClipHit> hits = store.nearestWithoutFloats(queries[q], k, filter);
                nanos[q] = System.nanoTime() - start;
                recallSum += recall(hits, truth[q]);
            }
            // The same queries' exact scans right after: on a shared machine the load changes over a run, and a ratio
            // of figures timed minutes apart measures the load as much as the index. In blocks, not query by query: one
            // exact scan streams the whole vector set through the CPU caches, so scanning after every query would make
            // each HNSW query start cold, which a service answering queries back to back does not.
            long exactStart = System.nanoTime();
            for (int q = from; q < to; q++) {
                exactTopK(indexed, queries[q], k);
            }
            exactNanos += System.nanoTime() - exactStart;
        }
        return new SearchFigures(
                store.visibleSegments(),
                recallSum / queries.length,
                queries.length / (Arrays.stream(nanos).sum() / 1e9),
                percentile(nanos, 0.5) / 1e6,
                percentile(nanos, 0.95) / 1e6,
                queries.length / (exactNanos / 1e9));
    }

    static double recall(List<ClipHit> hits, int[] truth) {
        Set<Integer> expected = new HashSet<>();
        for (int id : truth) {
            expected.add(id);
        }
        long found = hits.stream()
                .filter(hit -> expected.contains((int) hit.clip().getClipIndex()))
                .count();
        return (double) found / truth.length;
    }

    /** The ids of the {@code k} vectors with the largest dot product with {@code query}, by brute force. */
    static int[] exactTopK(float[][] vectors, float[] query, int k) {
        return exactTopK(vectors, vectors.length, query, k);
    }

    /** {@link #exactTopK(float[][], float[], int)} over the first {@code present} vectors only. */
    static int[] exactTopK(float[][] vectors, int present, float[] query, int k) {
        PriorityQueue<float[]> best = new PriorityQueue<>(Comparator.comparingDouble((float[] e) -> e[0]));
        for (int i = 0; i < present; i++) {
            float score = VectorUtil.dotProduct(query, vectors[i]);
            if (best.size() < k) {
                best.add(new float[] {score, i});
            } else if (score > best.peek()[0]) {
                best.poll();
                best.add(new float[] {score, i});
            }
        }
        return best.stream().mapToInt(entry -> (int) entry[1]).toArray();
    }

    static ClipVector clip(int id, float[] vector) {
        List<Float> boxed = new ArrayList<>(vector.length);
        for (float value : vector) {
            boxed.add(value);
        }
        return ClipVector.newBuilder()
                .setClipId("bench:" + id)
                .setSourceId("bench-" + (id % 1000))
                .setClipIndex(id)
                .setStartTimeMicros(id * MICROS)
                .setEndTimeMicros((id + 1) * MICROS)
                .setTenant("bench")
                .setTags(List.of())
                .setThumbnailJpeg(ByteBuffer.allocate(0))
                .setModelId("bench")
                .setModelVersion(MODEL_VERSION)
                .setAggregation("meanP")
                .setVector(boxed)
                .setFrameEmbeddings(List.of())
                .setIndexedAtMillis(0)
                .build();
    }

    static double percentile(long[] values, double fraction) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, (int) Math.floor(fraction * sorted.length))];
    }

    private static long usedHeap() {
        Runtime runtime = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return runtime.totalMemory() - runtime.freeMemory();
    }

    /**
     * Total bytes of the directory, of its vector and graph files, and of the files a graph search walks: the graph
     * ({@code .vex}) and the vectors it scores ({@code .veq} quantized, else the raw {@code .vec}).
     */
    static long[] sizes(Path dir, boolean quantized) throws IOException {
        long total = 0;
        long vectors = 0;
        long searched = 0;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.toList()) {
                long size = Files.size(file);
                total += size;
                String name = file.getFileName().toString();
                if (name.matches(".*\\.(vec|vex|vem|veq|vemf|vemq)$")) {
                    vectors += size;
                }
                if (name.endsWith(".vex") || name.endsWith(quantized ? ".veq" : ".vec")) {
                    searched += size;
                }
            }
        }
        return new long[] {total, vectors, searched};
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static void printSweep(FormatFigures format, String state, PrintWriter out) {
        for (SweepPoint point : format.sweep()) {
            SearchFigures figures = point.figures();
            out.printf(
                    "%-22s %8.4f %10.1f %9.3f %9.3f %10s %10s %8.1f%n",
                    "  efSearch " + point.searchCandidates() + " (" + state + ")",
                    figures.recall(),
                    figures.qps(),
                    figures.p50Millis(),
                    figures.p95Millis(),
                    "-",
                    "-",
                    figures.speedup());
        }
    }

    /** The result as a readable table. */
    public static void printTable(Result result, PrintWriter out) {
        out.printf(
                "k-NN benchmark: %d vectors, %d-d, %d queries, recall@%d, one query thread, %d cores%n",
                result.vectors(), result.dimension(), result.queries(), result.k(), result.cores());
        out.printf("data: %s%n%n", result.data());
        out.printf(
                "%-22s %8s %10s %9s %9s %10s %10s %8s%n",
                "index", "recall", "QPS", "p50 ms", "p95 ms", "build s", "size MB", "x exact");
        out.printf(
                "%-22s %8.4f %10.1f %9.3f %9s %10s %10s %8s%n",
                "exact scan (heap)", 1.0, result.exactQps(), result.exactP50Millis(), "-", "-", "-", "1");
        for (FormatFigures format : result.formats()) {
            SearchFigures built = format.asBuilt();
            out.printf(
                    "%-22s %8.4f %10.1f %9.3f %9.3f %10.1f %10.1f %8.1f%n",
                    "hnsw " + format.format() + " (" + built.segments() + " seg)",
                    built.recall(),
                    built.qps(),
                    built.p50Millis(),
                    built.p95Millis(),
                    format.buildSeconds(),
                    format.indexBytes() / 1e6,
                    built.speedup());
            SearchFigures merged = format.merged();
            if (format.mergeSeconds() == 0) {
                printSweep(format, built.segments() + " seg", out);
                out.printf(
                        "    %s; vector+graph files %.1f MB (%.0f B/vector, %.0f B/vector searched); heap %.1f MB per"
                                + " 100k; %.1fx the exact-scan QPS timed alongside%n",
                        format.settings(),
                        format.vectorFileBytes() / 1e6,
                        format.bytesPerVector(),
                        format.searchBytesPerVector(),
                        format.heapBytesPer100k() / 1e6,
                        format.speedupOverExact());
                continue;
            }
            out.printf(
                    "%-22s %8.4f %10.1f %9.3f %9.3f %10.1f %10.1f %8.1f%n",
                    "hnsw " + format.format() + " (merged)",
                    merged.recall(),
                    merged.qps(),
                    merged.p50Millis(),
                    merged.p95Millis(),
                    format.mergeSeconds(),
                    format.indexBytes() / 1e6,
                    merged.speedup());
            printSweep(format, "merged", out);
            out.printf(
                    "    %s; vector+graph files %.1f MB (%.0f B/vector, %.0f B/vector searched); heap %.1f MB per 100k;"
                            + " %.1fx the exact-scan QPS timed alongside (merged)%n",
                    format.settings(),
                    format.vectorFileBytes() / 1e6,
                    format.bytesPerVector(),
                    format.searchBytesPerVector(),
                    format.heapBytesPer100k() / 1e6,
                    format.speedupOverExact());
        }
        out.printf(
                "%nbest format (recall@%d >= %.2f at the highest speed-up over the exact scan): %s%n",
                result.k(), RECALL_TARGET, result.bestFormat());
        out.flush();
    }
}
