package io.clip4stream.app.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4stream.index.bench.KnnBenchmark;
import io.clip4stream.index.lucene.HnswSettings;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code clip4stream bench knn}: HNSW (float and quantized) against exact scan over the same vectors. */
@Command(
        name = "knn",
        mixinStandardHelpOptions = true,
        description = "Build the index store over embedding-like vectors and compare HNSW (float and quantized) with"
                + " an exact scan: recall@k, QPS, build time, index size, heap per 100k.")
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
            description = "Format of the first index: float32 (the service default), int8, int7, int4 or bit1.",
            defaultValue = "float32")
    private String first;

    @Option(
            names = "--quantized",
            description = "Quantization of the second index: int8, int7, int4, bit1, or none (default: int7).",
            defaultValue = "int7")
    private String quantized;

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
                    + "with each (no rebuild).")
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
        KnnBenchmark.Result result = KnnBenchmark.run(
                new KnnBenchmark.Options(
                        count,
                        dimension,
                        queries,
                        k,
                        Optional.ofNullable(vectors),
                        dir,
                        settings,
                        quantized.equalsIgnoreCase("none")
                                ? Optional.empty()
                                : Optional.of(HnswSettings.Quantization.parse(quantized)),
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
}
