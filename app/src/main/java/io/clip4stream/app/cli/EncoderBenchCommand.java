package io.clip4stream.app.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4stream.model.bench.EncoderBenchmark;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code clip4stream bench encoder}: ViT-B/32-shaped visual encoder frames/s against this CPU's matmul rate. */
@Command(
        name = "encoder",
        description = "Visual-encoder frames/s for ViT-B/32 shapes (random weights) at several batch sizes, next to"
                + " this CPU's fp32 matmul rate and the implied fraction of it; text-encoder latency at batch 1; the"
                + " same shapes in PyTorch eager (tools/bench_torch_encoder.py) when a Python with torch is found.")
public final class EncoderBenchCommand implements Callable<Integer> {
    @Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--json", description = "Print one JSON object.")
    private boolean json;

    @Option(names = "--threads", description = "libtorch intra-op threads (default: all cores).")
    private int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--batch", split = ",", description = "Batch sizes (default: 1,8,32).")
    private int[] batches = {1, 8, 32};

    @Option(names = "--seconds", description = "Seconds per measurement (default: 8).")
    private double seconds = 8;

    @Option(names = "--no-pytorch", description = "Skip the PyTorch eager baseline.")
    private boolean noPytorch;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        Consumer<String> progress = line -> {
            err.println("bench encoder: " + line);
            err.flush();
        };
        EncoderBenchmark.Result result = new EncoderBenchmark(threads, seconds, progress)
                .run(EncoderBenchmark.vitB32(), "ViT-B/32", EncoderBenchmark.VIT_B32_GFLOP_PER_FRAME, batches);
        // After ours, never alongside it: the two runs share the same cores.
        TorchEagerBaseline eager = noPytorch
                ? new TorchEagerBaseline.Unavailable("not measured: --no-pytorch")
                : TorchEagerBaseline.measure(threads, batches, seconds, progress);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(new ObjectMapper().writeValueAsString(jsonObject(result, eager)));
        } else {
            printTable(out, result, eager);
        }
        out.flush();
        return 0;
    }

    private static Map<String, Object> jsonObject(EncoderBenchmark.Result result, TorchEagerBaseline eager) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("shape", result.shape());
        root.put("threads", result.threads());
        root.put("matmul_gflops", result.matmulGflops());
        root.put("gflop_per_frame", result.gflopPerFrame());
        root.put(
                "batches",
                result.batches().stream()
                        .map(b -> Map.of(
                                "batch", b.batchSize(),
                                "frames_per_second", b.framesPerSecond(),
                                "fraction_of_matmul_rate", b.fractionOfMatmulRate()))
                        .toList());
        root.put("text_latency_ms_p50", result.textLatencyMillisP50());
        root.put("text_latency_ms_p90", result.textLatencyMillisP90());
        Map<String, Object> baseline = new LinkedHashMap<>();
        switch (eager) {
            case TorchEagerBaseline.Measured m -> {
                baseline.put("python", m.python());
                baseline.put("torch_version", m.torchVersion());
                baseline.put("blas", m.blas());
                baseline.put("threads", result.threads());
                baseline.put("matmul_gflops", m.matmulGflops());
                List<Map<String, Object>> points = new ArrayList<>();
                for (EncoderBenchmark.BatchPoint b : result.batches()) {
                    Map<String, Object> point = new LinkedHashMap<>();
                    point.put("batch", b.batchSize());
                    Double fps = m.framesPerSecond().get(b.batchSize());
                    point.put("frames_per_second", fps);
                    point.put("ours_over_pytorch", fps == null ? null : b.framesPerSecond() / fps);
                    // Against torch's own matmul rate, measured minutes later: on a shared machine the load moves.
                    point.put(
                            "fraction_of_its_matmul_rate",
                            fps == null ? null : fps * result.gflopPerFrame() / m.matmulGflops());
                    points.add(point);
                }
                baseline.put("batches", points);
                baseline.put("text_latency_ms_p50", m.textLatencyMillisP50());
                baseline.put("text_latency_ms_p90", m.textLatencyMillisP90());
            }
            case TorchEagerBaseline.Unavailable u -> baseline.put("note", u.note());
        }
        root.put("pytorch_eager", baseline);
        return root;
    }

    private static void printTable(PrintWriter out, EncoderBenchmark.Result result, TorchEagerBaseline eager) {
        TorchEagerBaseline.Measured measured = eager instanceof TorchEagerBaseline.Measured m ? m : null;
        out.printf("visual encoder, %s shapes, random weights, %d thread(s)%n", result.shape(), result.threads());
        out.printf(
                "baseline: fp32 matmul, best of %d^3 and ViT-B/32's MLP products = %.1f GFLOP/s (ceiling at %.2f"
                        + " GFLOP/frame: %.2f frames/s)%n",
                EncoderBenchmark.MATMUL_SIZE,
                result.matmulGflops(),
                result.gflopPerFrame(),
                result.matmulGflops() / result.gflopPerFrame());
        out.printf("%8s %14s %18s %16s %14s%n", "batch", "frames/s", "of matmul rate", "pytorch f/s", "ours/pytorch");
        for (EncoderBenchmark.BatchPoint b : result.batches()) {
            Double fps = measured == null ? null : measured.framesPerSecond().get(b.batchSize());
            out.printf(
                    "%8d %14.2f %17.1f%% %16s %14s%n",
                    b.batchSize(),
                    b.framesPerSecond(),
                    100 * b.fractionOfMatmulRate(),
                    fps == null ? "-" : String.format("%.2f", fps),
                    fps == null ? "-" : String.format("%.2f", b.framesPerSecond() / fps));
        }
        out.printf(
                "text encoder, batch 1, L=32: p50 %.1f ms, p90 %.1f ms%s%n",
                result.textLatencyMillisP50(),
                result.textLatencyMillisP90(),
                measured == null
                        ? ""
                        : String.format(
                                " (pytorch eager: p50 %.1f ms, p90 %.1f ms)",
                                measured.textLatencyMillisP50(), measured.textLatencyMillisP90()));
        switch (eager) {
            case TorchEagerBaseline.Measured m ->
                out.printf(
                        "pytorch eager: torch %s (%s), matmul (same products) = %.1f GFLOP/s, BLAS %s%n",
                        m.torchVersion(), m.python(), m.matmulGflops(), m.blas());
            case TorchEagerBaseline.Unavailable u -> out.println("pytorch eager: " + u.note());
        }
    }

    @Override
    public String toString() {
        return "EncoderBenchCommand" + Arrays.toString(batches);
    }
}
