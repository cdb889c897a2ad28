package io.clip4stream.app.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
        List<String> rejected = new ArrayList<>();
        var python = TorchPython.find(TorchPython.CANDIDATES, rejected);
        if (python.isEmpty()) {
            return new Unavailable("not measured: no Python with PyTorch (" + String.join("; ", rejected)
                    + "); install python3-torch to compare");
        }
        Path script;
        try {
            script = ToolsDirectory.locate().resolve("bench_torch_encoder.py");
        } catch (IllegalStateException e) {
            return new Unavailable("not measured: " + e.getMessage());
        }
        List<String> command = List.of(
                python.get().executable(),
                script.toString(),
                "--threads",
                Integer.toString(threads),
                "--batch",
                Arrays.stream(batches).mapToObj(Integer::toString).collect(Collectors.joining(",")),
                "--seconds",
                Double.toString(seconds));
        progress.accept("pytorch eager (" + python.get().executable() + ", torch "
                + python.get().torchVersion() + "): " + String.join(" ", command));
        try {
            ProcessBuilder builder = new ProcessBuilder(command);
            builder.environment().put("OMP_NUM_THREADS", Integer.toString(threads));
            Process process = builder.start();
            process.getOutputStream().close();
            Thread errors = Thread.ofVirtual().start(() -> {
                try (var lines = process.errorReader(StandardCharsets.UTF_8).lines()) {
                    lines.forEach(progress);
                } catch (UncheckedIOException e) {
                    progress.accept("(stderr of the eager run unreadable: " + e.getMessage() + ")");
                }
            });
            String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            // Reading stdout to its end means the script has exited or closed it; the wait only collects the status.
            long limit = (long) (600 + 20 * seconds * (batches.length + 2));
            if (!process.waitFor(limit, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return new Unavailable("not measured: the eager run did not finish in " + limit + " s");
            }
            errors.join();
            if (process.exitValue() != 0) {
                return new Unavailable("not measured: " + script.getFileName() + " failed with exit status "
                        + process.exitValue() + " (see the lines above)");
            }
            return parse(python.get().executable(), stdout);
        } catch (IOException e) {
            return new Unavailable("not measured: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Unavailable("not measured: interrupted");
        }
    }

    private static TorchEagerBaseline parse(String python, String stdout) throws IOException {
        String last = stdout.strip().lines().reduce((a, b) -> b).orElse("");
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
