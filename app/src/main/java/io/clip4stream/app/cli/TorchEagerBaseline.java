package io.clip4stream.app.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The same ViT-B/32 shapes in PyTorch eager ({@code tools/bench_torch_encoder.py}), measured in the same run, with the
 * same batch sizes, threads and seconds, for the ratio {@code bench encoder} reports.
 */
sealed interface TorchEagerBaseline {

    /** What the eager run measured. */
    record Measured(
            String python,
            String torchVersion,
            String blas,
            double matmulGflops,
            Map<Integer, Double> framesPerSecond,
            double textLatencyMillisP50,
            double textLatencyMillisP90)
            implements TorchEagerBaseline {}

    /** Why nothing was measured. */
    record Unavailable(String note) implements TorchEagerBaseline {}

    /** Runs the eager benchmark with the first Python that imports torch, or says why it could not. */
    static TorchEagerBaseline measure(int threads, int[] batches, double seconds, Consumer<String> progress) {
        List<String> arguments = List.of(
                "--threads",
                Integer.toString(threads),
                "--batch",
                Arrays.stream(batches).mapToObj(Integer::toString).collect(Collectors.joining(",")),
                "--seconds",
                Double.toString(seconds));
        long limit = (long) (600 + 20 * seconds * (batches.length + 2));
        EagerScript script = new EagerScript("bench_torch_encoder.py", arguments, threads, limit);
        return switch (script.run(progress)) {
            case EagerScript.Finished finished -> {
                try {
                    yield parse(finished.python(), finished.lastLine());
                } catch (IOException e) {
                    yield new Unavailable("not measured: unreadable output from the eager run: " + e.getMessage());
                }
            }
            case EagerScript.NotMeasured notMeasured -> new Unavailable(notMeasured.note());
        };
    }

    private static TorchEagerBaseline parse(String python, String last) throws IOException {
        JsonNode root = new ObjectMapper().readTree(last);
        if (root == null || !root.has("batches")) {
            return new Unavailable("not measured: unexpected output from the eager run: " + last);
        }
        Map<Integer, Double> fps = new LinkedHashMap<>();
        for (JsonNode point : root.get("batches")) {
            fps.put(point.get("batch").asInt(), point.get("frames_per_second").asDouble());
        }
        return new Measured(
                python,
                root.path("torch_version").asText("unknown"),
                root.path("blas").asText("unknown"),
                root.path("matmul_gflops").asDouble(Double.NaN),
                Map.copyOf(fps),
                root.path("text_latency_ms_p50").asDouble(Double.NaN),
                root.path("text_latency_ms_p90").asDouble(Double.NaN));
    }
}
