package io.clip4stream.app.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.clip4stream.model.bench.EncoderBenchmark;
import io.clip4stream.model.bench.TrainBenchmark;
import io.clip4stream.model.spec.LinearPatch;
import io.clip4stream.model.spec.SimilarityHead;
import io.clip4stream.model.weights.TinyModelShape;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code clip4stream bench train}: CLIP4Clip seqTransf training steps/s (full fine-tuning and head-only), its FLOP rate
 * against this CPU's matmul rate, peak memory, and the same in PyTorch eager.
 */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description = {
            "CLIP4Clip seqTransf training on random weights (ViT-B/32 shapes by default), each step the original's"
                    + " (symmetric CrossEn loss, backward, global clip_grad_norm 1.0, BertAdam, zero_grad, logit-scale"
                    + " clamp): full fine-tuning (freeze_layer_num 0, encoders on pixels) and head-only training on"
                    + " cached embeddings (CLIP frozen), next to this CPU's fp32 matmul rate from the same run; the peak"
                    + " memory of full fine-tuning; then the same in PyTorch eager (tools/bench_torch_train.py) when a"
                    + " Python with torch is found, run after ours, never alongside it.",
            "",
            "JSON fields (--json): benchmark (\"train\"), shape, threads, matmul_gflops; full and head: batch, frames,"
                    + " steps, trainable_parameters, seconds, steps_per_second, clips_per_second, gflop_per_step,"
                    + " gflops, fraction_of_matmul_rate, loss_first, loss_last (full also freeze_layer_num; head also"
                    + " layers, width); memory: batch, frames, steps, rss_before_gib, rss_peak_gib, rss_peak_source,"
                    + " heap_used_peak_gib, heap_committed_gib, or note when skipped; pytorch_eager: python,"
                    + " torch_version, blas, threads, matmul_gflops, full and head (steps_per_second, clips_per_second,"
                    + " trainable_parameters, seconds, loss_first, loss_last, gflops, fraction_of_its_matmul_rate,"
                    + " ours_over_pytorch), memory (batch, frames, rss_before_gib, rss_peak_gib, rss_peak_source,"
                    + " ours_over_pytorch), or note (\"not measured: ...\").",
            "",
            "gflop_per_step counts matrix products only, a multiply-add as 2 FLOPs: a block of width w over n tokens"
                    + " costs n(24w^2 + 4nw) forward; a trained part 3x its forward (backward = 2 products per"
                    + " product), the frozen conv1 of full fine-tuning 1x. Full step = 3 (B T (ViT - conv1) + B text"
                    + " + B T-frame head + 2 B^2 D) + B T conv1; head step = 3 (B head + 2 B^2 D). GiB = 2^30 bytes;"
                    + " rss_peak_gib is VmHWM of the process, reset (/proc/self/clear_refs) just before the memory run,"
                    + " which runs first; it includes the JVM heap's resident pages."
        })
public final class TrainBenchCommand implements Callable<Integer> {

    /** Model shapes the benchmark can generate (random weights, seeded). */
    enum Preset {
        /** CLIP4Clip ViT-B/32: vision 768 x 12 layers, patch 32 at 224 px; text 512 x 12, L 32; D 512; head 4 layers. */
        VIT_B_32("ViT-B/32", TrainBenchmark.vitB32SeqTransf(12)),
        /** A tiny model: widths 64, 2 layers, 16-pixel patches on 64x64 frames, a 512-token vocabulary, head 2 layers. */
        TINY(
                "tiny",
                new TinyModelShape(
                        64, 2, 16, 64, 64, 2, 512, 64, 2, 12, 32, SimilarityHead.SEQ_TRANSF, LinearPatch.TWO_D));

        private final String label;
        private final TinyModelShape shape;

        Preset(String label, TinyModelShape shape) {
            this.label = label;
            this.shape = shape;
        }
    }

    @Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--json", description = "Print one JSON object.")
    private boolean json;

    @Option(names = "--threads", description = "libtorch intra-op threads, also PyTorch eager's (default: all cores).")
    private int threads = Runtime.getRuntime().availableProcessors();

    @Option(
            names = "--model",
            defaultValue = "VIT_B_32",
            description = "Generated model: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    private Preset preset;

    @Option(
            names = "--batch",
            defaultValue = "4",
            description = "Caption-clip pairs per full fine-tuning step (default: ${DEFAULT-VALUE}).")
    private int batch;

    @Option(names = "--frames", defaultValue = "12", description = "Frames per clip (default: ${DEFAULT-VALUE}).")
    private int frames;

    @Option(
            names = "--steps",
            defaultValue = "3",
            description = "Timed full fine-tuning steps, after one untimed (default: ${DEFAULT-VALUE}).")
    private int steps;

    @Option(
            names = "--head-batch",
            defaultValue = "64",
            description = "Caption-clip pairs per head-only step (default: ${DEFAULT-VALUE}).")
    private int headBatch;

    @Option(
            names = "--head-steps",
            defaultValue = "10",
            description = "Timed head-only steps, after one untimed (default: ${DEFAULT-VALUE}).")
    private int headSteps;

    @Option(
            names = "--memory-batch",
            defaultValue = "8",
            description = "Caption-clip pairs per step of the memory run (default: ${DEFAULT-VALUE}).")
    private int memoryBatch;

    @Option(names = "--skip-memory", description = "Skip the memory run.")
    private boolean skipMemory;

    @Option(
            names = "--matmul-seconds",
            defaultValue = "3",
            description = "Seconds spent on the matmul rate (default: ${DEFAULT-VALUE}).")
    private double matmulSeconds;

    @Option(names = "--no-pytorch", description = "Skip the PyTorch eager baseline.")
    private boolean noPytorch;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        Consumer<String> progress = line -> {
            err.println("bench train: " + line);
            err.flush();
        };
        int memory = skipMemory ? 0 : memoryBatch;
        TrainBenchmark.Settings settings =
                new TrainBenchmark.Settings(threads, batch, frames, steps, headBatch, headSteps, memory, matmulSeconds);
        long start = System.nanoTime();
        TrainBenchmark.Result result = new TrainBenchmark(settings, progress).run(preset.shape, preset.label);
        long oursSeconds = (System.nanoTime() - start) / 1_000_000_000L;
        // After ours, never alongside it: the two runs share the same cores.
        Eager eager = noPytorch
                ? new Eager(null, null, "not measured: --no-pytorch")
                : eager(settings, preset.shape.withMaxFrames(frames), 600 + 5 * oursSeconds, progress);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(new ObjectMapper().writeValueAsString(jsonObject(result, preset.shape, eager, skipMemory)));
        } else {
            printTable(out, result, eager, skipMemory);
        }
        out.flush();
        return 0;
    }

    /** The eager run: its interpreter and result, or why there is none. */
    private record Eager(EagerScript.Finished run, JsonNode result, String note) {}

    private static Eager eager(
            TrainBenchmark.Settings settings, TinyModelShape shape, long limitSeconds, Consumer<String> progress) {
        List<String> arguments = new ArrayList<>();
        addAll(
                arguments,
                "--threads",
                settings.threads(),
                "--batch",
                settings.batch(),
                "--frames",
                settings.frames(),
                "--steps",
                settings.steps(),
                "--head-batch",
                settings.headBatch(),
                "--head-steps",
                settings.headSteps(),
                "--memory-batch",
                settings.memoryBatch(),
                "--matmul-seconds",
                settings.matmulSeconds(),
                "--vision-width",
                shape.visionWidth(),
                "--vision-layers",
                shape.visionLayers(),
                "--patch",
                shape.patchSize(),
                "--image-size",
                shape.imageSize(),
                "--text-width",
                shape.textWidth(),
                "--text-layers",
                shape.textLayers(),
                "--vocab",
                shape.vocabSize(),
                "--embed-dim",
                shape.embedDim(),
                "--head-layers",
                shape.crossLayers(),
                "--words",
                shape.maxWords());
        EagerScript script = new EagerScript("bench_torch_train.py", arguments, settings.threads(), limitSeconds);
        return switch (script.run(progress)) {
            case EagerScript.Finished finished -> {
                try {
                    JsonNode root = new ObjectMapper().readTree(finished.lastLine());
                    if (root == null || !root.has("full") || !root.has("head")) {
                        yield new Eager(
                                null,
                                null,
                                "not measured: unexpected output from the eager run: " + finished.lastLine());
                    }
                    yield new Eager(finished, root, null);
                } catch (IOException e) {
                    yield new Eager(
                            null, null, "not measured: unreadable output from the eager run: " + e.getMessage());
                }
            }
            case EagerScript.NotMeasured notMeasured -> new Eager(null, null, notMeasured.note());
        };
    }

    private static void addAll(List<String> arguments, Object... pairs) {
        for (Object value : pairs) {
            arguments.add(value.toString());
        }
    }

    private static Map<String, Object> jsonObject(
            TrainBenchmark.Result result, TinyModelShape shape, Eager eager, boolean skipMemory) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("benchmark", "train");
        root.put("shape", result.shape());
        root.put("threads", result.threads());
        root.put("matmul_gflops", result.matmulGflops());
        root.put("full", series(result, result.full(), Map.of("freeze_layer_num", 0)));
        root.put(
                "head",
                series(result, result.head(), Map.of("layers", shape.crossLayers(), "width", shape.embedDim())));
        root.put(
                "memory",
                result.memory()
                        .<Object>map(TrainBenchCommand::memory)
                        .orElseGet(() -> Map.of(
                                "note",
                                skipMemory ? "not measured: --skip-memory" : "not measured: --memory-batch 0")));
        Map<String, Object> baseline = new LinkedHashMap<>();
        if (eager.result() == null) {
            baseline.put("note", eager.note());
        } else {
            JsonNode e = eager.result();
            double matmul = e.path("matmul_gflops").asDouble(Double.NaN);
            baseline.put("python", eager.run().python());
            baseline.put(
                    "torch_version", e.path("torch_version").asText(eager.run().torchVersion()));
            baseline.put("blas", e.path("blas").asText("unknown"));
            baseline.put("threads", e.path("threads").asInt());
            baseline.put("matmul_gflops", matmul);
            baseline.put("full", eagerSeries(e.path("full"), result.full(), matmul));
            baseline.put("head", eagerSeries(e.path("head"), result.head(), matmul));
            if (e.has("memory")) {
                ObjectNode memory = ((ObjectNode) e.get("memory")).deepCopy();
                double peak = memory.path("rss_peak_gib").asDouble(Double.NaN);
                memory.remove("steps");
                memory.put(
                        "ours_over_pytorch",
                        result.memory().map(m -> m.rssPeakGib() / peak).orElse(Double.NaN));
                baseline.put("memory", memory);
            }
        }
        root.put("pytorch_eager", baseline);
        return root;
    }

    private static Map<String, Object> series(
            TrainBenchmark.Result result, TrainBenchmark.Series s, Map<String, Object> extra) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("batch", s.batch());
        map.put("frames", s.frames());
        map.put("steps", s.steps());
        new TreeMap<>(extra).forEach(map::put);
        map.put("trainable_parameters", s.trainableParameters());
        map.put("seconds", s.seconds());
        map.put("steps_per_second", s.stepsPerSecond());
        map.put("clips_per_second", s.clipsPerSecond());
        map.put("gflop_per_step", s.gflopPerStep());
        map.put("gflops", s.gflops());
        map.put("fraction_of_matmul_rate", result.fractionOfMatmulRate(s));
        map.put("loss_first", s.firstLoss());
        map.put("loss_last", s.lastLoss());
        return map;
    }

    private static Map<String, Object> memory(TrainBenchmark.Memory m) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("batch", m.batch());
        map.put("frames", m.frames());
        map.put("steps", m.steps());
        map.put("rss_before_gib", m.rssBeforeGib());
        map.put("rss_peak_gib", m.rssPeakGib());
        map.put("rss_peak_source", m.rssPeakSource());
        map.put("heap_used_peak_gib", m.heapUsedPeakGib());
        map.put("heap_committed_gib", m.heapCommittedGib());
        return map;
    }

    private static Map<String, Object> eagerSeries(JsonNode e, TrainBenchmark.Series ours, double matmul) {
        double stepsPerSecond = e.path("steps_per_second").asDouble(Double.NaN);
        double gflops = stepsPerSecond * ours.gflopPerStep(); // the same shapes, so the same counted FLOPs
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("steps_per_second", stepsPerSecond);
        map.put("clips_per_second", e.path("clips_per_second").asDouble(Double.NaN));
        map.put("trainable_parameters", e.path("trainable_parameters").asLong());
        map.put("seconds", e.path("seconds").asDouble(Double.NaN));
        map.put("loss_first", e.path("loss_first").asDouble(Double.NaN));
        map.put("loss_last", e.path("loss_last").asDouble(Double.NaN));
        map.put("gflops", gflops);
        // Against torch's own matmul rate, measured minutes later: on a shared machine the load moves.
        map.put("fraction_of_its_matmul_rate", gflops / matmul);
        map.put("ours_over_pytorch", ours.stepsPerSecond() / stepsPerSecond);
        return map;
    }

    private static void printTable(PrintWriter out, TrainBenchmark.Result result, Eager eager, boolean skipMemory) {
        JsonNode e = eager.result();
        out.printf(
                "CLIP4Clip seqTransf training, %s shapes, random weights, %d thread(s); fp32 matmul (best of %d^3 and"
                        + " ViT-B/32's MLP products) = %.1f GFLOP/s%n",
                result.shape(), result.threads(), EncoderBenchmark.MATMUL_SIZE, result.matmulGflops());
        out.printf(
                "%-42s %9s %9s %11s %9s %10s %15s %13s%n",
                "", "steps/s", "clips/s", "GFLOP/step", "GFLOP/s", "of matmul", "pytorch steps/s", "ours/pytorch");
        row(out, result, "full fine-tuning (freeze 0)", result.full(), e == null ? null : e.path("full"));
        row(out, result, "head-only on cached embeddings", result.head(), e == null ? null : e.path("head"));
        out.printf(
                "trainable parameters: full %,d, head %,d%s%n",
                result.full().trainableParameters(),
                result.head().trainableParameters(),
                e == null
                        ? ""
                        : String.format(
                                " (pytorch eager: %,d and %,d)",
                                e.path("full").path("trainable_parameters").asLong(),
                                e.path("head").path("trainable_parameters").asLong()));
        result.memory()
                .ifPresentOrElse(
                        m -> out.printf(
                                "memory, full fine-tuning at %d x %d frames: peak RSS %.2f GiB (%s; %.2f GiB before),"
                                        + " JVM heap used peak %.2f GiB%s%n",
                                m.batch(),
                                m.frames(),
                                m.rssPeakGib(),
                                m.rssPeakSource(),
                                m.rssBeforeGib(),
                                m.heapUsedPeakGib(),
                                e == null || !e.has("memory")
                                        ? ""
                                        : String.format(
                                                "; pytorch eager peak RSS %.2f GiB (%.2f GiB before)",
                                                e.path("memory")
                                                        .path("rss_peak_gib")
                                                        .asDouble(Double.NaN),
                                                e.path("memory")
                                                        .path("rss_before_gib")
                                                        .asDouble(Double.NaN))),
                        () -> out.println(
                                "memory: not measured: " + (skipMemory ? "--skip-memory" : "--memory-batch 0")));
        if (e == null) {
            out.println("pytorch eager: " + eager.note());
        } else {
            out.printf(
                    "pytorch eager: torch %s (%s), matmul 1024^3 = %.1f GFLOP/s, BLAS %s%n",
                    e.path("torch_version").asText(),
                    eager.run().python(),
                    e.path("matmul_gflops").asDouble(Double.NaN),
                    e.path("blas").asText("unknown"));
        }
    }

    private static void row(
            PrintWriter out, TrainBenchmark.Result result, String name, TrainBenchmark.Series s, JsonNode eager) {
        double theirs =
                eager == null ? Double.NaN : eager.path("steps_per_second").asDouble(Double.NaN);
        out.printf(
                "%-42s %9.4f %9.2f %11.2f %9.1f %9.1f%% %15s %13s%n",
                String.format("%s, %d x %d", name, s.batch(), s.frames()),
                s.stepsPerSecond(),
                s.clipsPerSecond(),
                s.gflopPerStep(),
                s.gflops(),
                100 * result.fractionOfMatmulRate(s),
                Double.isNaN(theirs) ? "-" : String.format("%.4f", theirs),
                Double.isNaN(theirs) ? "-" : String.format("%.2f", s.stepsPerSecond() / theirs));
    }
}
