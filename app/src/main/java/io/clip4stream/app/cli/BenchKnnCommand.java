package io.clip4stream.app.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4stream.index.bench.KnnBenchmark;
import io.clip4stream.index.bench.LiveKnnBenchmark;
import io.clip4stream.index.lucene.HnswSettings;
import io.clip4stream.index.lucene.LuceneClipStore;
import io.clip4stream.index.lucene.ShardSettings;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code clip4stream bench knn}: HNSW (float and quantized) against exact scan over the same vectors, built at once or
 * streamed in live.
 */
@Command(
        name = "knn",
        mixinStandardHelpOptions = true,
        description = "Build the index store over embedding-like vectors and compare HNSW (float and quantized) with"
                + " an exact scan: recall@k, QPS, build time, index size, bytes per vector, heap per 100k. With"
                + " --live, stream the vectors in at --rate through the store's put and its refresher while"
                + " querying: recall@k against exact search over what each query could see, QPS, the exact scan"
                + " timed alongside, segments over time, merge time, then the index as built and after its idle"
                + " merge.")
public final class BenchKnnCommand implements Callable<Integer> {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--n", description = "Vectors to index (default: 100000).", defaultValue = "100000")
    private int count;

    @Option(names = "--dim", description = "Dimension of synthetic vectors (default: 512).", defaultValue = "512")
    private int dimension;

    @Option(names = "--queries", description = "Timed queries (default: 1000).", defaultValue = "1000")
    private int queries;

    @Option(names = "--k", description = "Neighbours per query (default: 10).", defaultValue = "10")
    private int k;

    @Option(names = "--vectors", description = "Real vectors: .fvecs, or text with one vector per line.")
    private Path vectors;

    @Option(
            names = "--first",
            description = "Format of the first index (of the live index with --live): float32 (the service default),"
                    + " int8, int7, int4, bit2 or bit1.",
            defaultValue = "float32")
    private String first;

    @Option(
            names = "--quantized",
            description = "Quantization of the second index: int8, int7, int4, bit2, bit1, or none (default: int7).",
            defaultValue = "int7")
    private String quantized;

    @Option(
            names = "--format",
            split = ",",
            description = "Formats to build and compare in one run, comma-separated (e.g."
                    + " float32,int8,int7,int4,bit2,bit1); replaces --first and --quantized.")
    private List<String> formats = List.of();

    @Option(names = "--live", description = "Stream the vectors in while querying (see the description).")
    private boolean live;

    @Option(names = "--rate", description = "With --live: vectors put per second (default: 200).", defaultValue = "200")
    private double rate;

    @Option(
            names = "--refresh-ms",
            description = "With --live: the refresher's interval, as CLIP4S_INDEX_REFRESH_MS (default: the service"
                    + " default).")
    private Long refreshMillis;

    @Option(
            names = "--merge-floor-mb",
            description = "With --live: merge floor, as CLIP4S_INDEX_MERGE_FLOOR_MB (default: the service default).")
    private Double mergeFloorMb;

    @Option(
            names = "--segments-per-tier",
            description = "With --live: as CLIP4S_INDEX_MERGE_SEGMENTS_PER_TIER (default: the service default).")
    private Double segmentsPerTier;

    @Option(
            names = "--idle-merge-ms",
            description = "With --live: as CLIP4S_INDEX_IDLE_MERGE_MS, 0 for none (default: the service default).")
    private Long idleMergeMillis;

    @Option(
            names = "--idle-merge-segments",
            description = "With --live: as CLIP4S_INDEX_IDLE_MERGE_SEGMENTS (default: the service default).")
    private Integer idleMergeSegments;

    @Option(
            names = "--merge-wait-s",
            description = "With --live: longest wait for the idle merge after ingest (default: 1800).",
            defaultValue = "1800")
    private long mergeWaitSeconds;

    @Option(
            names = "--ef",
            description = "HNSW candidates per search (default: the service default, "
                    + HnswSettings.DEFAULT_SEARCH_CANDIDATES + ").")
    private Integer searchCandidates;

    @Option(
            names = "--m",
            description = "HNSW neighbours per node, as CLIP4S_INDEX_HNSW_M (default: the service default, "
                    + HnswSettings.DEFAULT_MAX_CONN + ").")
    private Integer maxConn;

    @Option(
            names = "--ef-construction",
            description = "HNSW build beam width, as CLIP4S_INDEX_HNSW_BEAM_WIDTH (default: the service default, "
                    + HnswSettings.DEFAULT_BEAM_WIDTH + ").")
    private Integer beamWidth;

    @Option(
            names = "--ef-sweep",
            split = ",",
            description = "Further efSearch values, comma-separated: each index's last state is reopened and measured "
                    + "with each (no rebuild). With --live, query blocks take turns between --ef and these while "
                    + "vectors stream in, and the idle-merged index is measured with each.")
    private List<Integer> sweep = List.of();

    @Option(names = "--merge", description = "Also merge each index into one segment and measure it again.")
    private boolean merge;

    @Option(names = "--seed", description = "Seed of the synthetic vectors (default: 42).", defaultValue = "42")
    private long seed;

    @Option(names = "--work-dir", description = "Where indexes are built (default: a temporary directory).")
    private Path workDir;

    @Option(names = "--json", description = "Print one JSON object.")
    private boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter progress = spec.commandLine().getErr();
        HnswSettings settings = HnswSettings.defaults().withQuantization(HnswSettings.Quantization.parse(first));
        if (searchCandidates != null) {
            settings = settings.withSearchCandidates(searchCandidates);
        }
        if (maxConn != null || beamWidth != null) {
            settings = new HnswSettings(
                    maxConn != null ? maxConn : settings.maxConn(),
                    beamWidth != null ? beamWidth : settings.beamWidth(),
                    settings.searchCandidates(),
                    settings.quantization());
        }
        Path dir = workDir != null ? workDir : Files.createTempDirectory("clip4stream-bench-knn");
        if (live) {
            if (!formats.isEmpty()) {
                settings = settings.withQuantization(HnswSettings.Quantization.parse(formats.getFirst()));
            }
            LiveKnnBenchmark.Result result = LiveKnnBenchmark.run(
                    new LiveKnnBenchmark.Options(
                            count,
                            dimension,
                            queries,
                            k,
                            rate,
                            queries,
                            dir,
                            settings,
                            shardSettings(),
                            seed,
                            Duration.ofSeconds(mergeWaitSeconds),
                            sweep),
                    progress);
            if (json) {
                out.println(new ObjectMapper().writeValueAsString(result));
            } else {
                LiveKnnBenchmark.printTable(result, out);
            }
            out.flush();
            return 0;
        }
        KnnBenchmark.Result result = KnnBenchmark.run(
                new KnnBenchmark.Options(
                        count,
                        dimension,
                        queries,
                        k,
                        Optional.ofNullable(vectors),
                        dir,
                        settings,
                        formats(settings.quantization()),
                        merge,
                        seed,
                        sweep),
                progress);
        if (json) {
            out.println(new ObjectMapper().writeValueAsString(result));
        } else {
            KnnBenchmark.printTable(result, out);
        }
        out.flush();
        return 0;
    }

    /** The formats to build: --format's, else --first's and --quantized's. */
    private List<HnswSettings.Quantization> formats(HnswSettings.Quantization firstFormat) {
        List<HnswSettings.Quantization> chosen = new ArrayList<>();
        if (!formats.isEmpty()) {
            formats.forEach(format -> chosen.add(HnswSettings.Quantization.parse(format)));
            return chosen;
        }
        chosen.add(firstFormat);
        if (!quantized.equalsIgnoreCase("none")) {
            chosen.add(HnswSettings.Quantization.parse(quantized));
        }
        return chosen;
    }

    /** The service's default shard settings with this command's overrides. */
    private ShardSettings shardSettings() {
        ShardSettings shard = ShardSettings.of(
                refreshMillis != null ? Duration.ofMillis(refreshMillis) : LuceneClipStore.DEFAULT_REFRESH_INTERVAL);
        shard = shard.withMergePolicy(
                mergeFloorMb != null ? mergeFloorMb : shard.mergeFloorMb(),
                segmentsPerTier != null ? segmentsPerTier : shard.segmentsPerTier());
        return shard.withIdleMerge(
                idleMergeMillis != null ? Duration.ofMillis(idleMergeMillis) : shard.idleMergeAfter(),
                idleMergeSegments != null ? idleMergeSegments : shard.idleMergeSegments());
    }
}
