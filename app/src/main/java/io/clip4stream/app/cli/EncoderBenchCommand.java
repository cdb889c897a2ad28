package io.clip4stream.app.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4stream.model.bench.EncoderBenchmark;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code clip4stream bench encoder}: ViT-B/32-shaped visual encoder frames/s against this CPU's matmul rate. */
@Command(
        name = "encoder",
        description = "Visual-encoder frames/s for ViT-B/32 shapes (random weights) at several batch sizes, next to"
                + " this CPU's fp32 matmul rate and the implied fraction of it; text-encoder latency at batch 1.")
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

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        EncoderBenchmark.Result result = new EncoderBenchmark(threads, seconds, line -> {
                    err.println("bench encoder: " + line);
                    err.flush();
                })
                .run(EncoderBenchmark.vitB32(), "ViT-B/32", EncoderBenchmark.VIT_B32_GFLOP_PER_FRAME, batches);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
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
            root.put("pytorch_eager", pytorchBaseline());
            out.println(new ObjectMapper().writeValueAsString(root));
        } else {
            out.printf("visual encoder, %s shapes, random weights, %d thread(s)%n", result.shape(), result.threads());
            out.printf(
                    "baseline: fp32 matmul %d^3 = %.1f GFLOP/s (ceiling at %.1f GFLOP/frame: %.2f frames/s)%n",
                    EncoderBenchmark.MATMUL_SIZE,
                    result.matmulGflops(),
                    result.gflopPerFrame(),
                    result.matmulGflops() / result.gflopPerFrame());
            out.printf("%8s %14s %18s%n", "batch", "frames/s", "of matmul rate");
            for (EncoderBenchmark.BatchPoint b : result.batches()) {
                out.printf("%8d %14.2f %17.1f%%%n", b.batchSize(), b.framesPerSecond(), 100 * b.fractionOfMatmulRate());
            }
            out.printf(
                    "text encoder, batch 1, L=32: p50 %.1f ms, p90 %.1f ms%n",
                    result.textLatencyMillisP50(), result.textLatencyMillisP90());
            out.println("pytorch eager: " + pytorchBaseline());
        }
        out.flush();
        return 0;
    }

    private static String pytorchBaseline() {
        try {
            Process p = new ProcessBuilder(List.of("python3", "-c", "import torch; print(torch.__version__)"))
                    .redirectErrorStream(true)
                    .start();
            boolean present = p.waitFor() == 0;
            return present
                    ? "python3-torch is installed but the eager comparison is not implemented yet"
                    : "not measured: python3-torch is not installed";
        } catch (java.io.IOException e) {
            return "not measured: no python3";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "not measured: interrupted";
        }
    }

    @Override
    public String toString() {
        return "EncoderBenchCommand" + Arrays.toString(batches);
    }
}
