package io.clip4stream.model.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.clip4stream.model.Clip4ClipModel;
import io.clip4stream.model.ModelOptions;
import io.clip4stream.model.nn.TorchRuntime;
import io.clip4stream.model.spec.LinearPatch;
import io.clip4stream.model.spec.SimilarityHead;
import io.clip4stream.model.weights.TinyModelGenerator;
import io.clip4stream.model.weights.TinyModelShape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Measures visual-encoder throughput and text-encoder latency for a given model shape, next to this machine's fp32
 * matrix-multiply rate measured with the same engine and thread count in the same run.
 *
 * <p>The matmul rate is the practical ceiling: a ViT spends nearly all its FLOPs in matrix products, so frames/s times
 * FLOPs per frame divided by the matmul rate is the fraction of that ceiling the encoder reaches.
 */
public final class EncoderBenchmark {
    /**
     * Forward GFLOPs of one ViT-B/32 frame at 224 px, multiply-adds counted as two (8.82: patch embedding, 12 blocks
     * over 50 tokens, projection). Until December 2026 this was 4.4, the multiply-add count, which halved every
     * fraction this benchmark printed.
     */
    public static final double VIT_B32_GFLOP_PER_FRAME = TrainingFlops.visualForward(vitB32()) / 1e9;

    /** Side of the square matrices of the matmul baseline. */
    public static final int MATMUL_SIZE = 1024;

    /**
     * The products of the matmul baseline, {@code {m, k, n}}: a square one, and the largest products of ViT-B/32 at
     * batch 32 (the MLP's {@code c_fc} on 32 × 50 tokens, 768 → 3072, and {@code c_proj} back). Their best rate is
     * the ceiling: on some CPUs the square product alone reaches less than a ViT does, so the encoder would seem to
     * run above 100 % of it.
     */
    public static final List<int[]> MATMUL_SHAPES = List.of(
            new int[] {MATMUL_SIZE, MATMUL_SIZE, MATMUL_SIZE}, new int[] {1600, 768, 3072}, new int[] {1600, 3072, 768
            });

    private final int threads;
    private final double secondsPerPoint;
    private final Consumer<String> progress;

    /** A benchmark using {@code threads} intra-op threads that spends about {@code secondsPerPoint} per measurement. */
    public EncoderBenchmark(int threads, double secondsPerPoint, Consumer<String> progress) {
        if (threads < 1 || !(secondsPerPoint > 0)) {
            throw new IllegalArgumentException("threads must be >= 1 and seconds > 0");
        }
        this.threads = threads;
        this.secondsPerPoint = secondsPerPoint;
        this.progress = progress;
    }

    /** The ViT-B/32 CLIP4Clip shape (widths 768/512, 12+12 layers, patch 32 at 224 px, D 512) with random weights. */
    public static TinyModelShape vitB32() {
        return new TinyModelShape(
                768,
                12,
                32,
                224,
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

    /** One batch size's result. */
    public record BatchPoint(int batchSize, double framesPerSecond, double fractionOfMatmulRate) {}

    /** Everything the benchmark measured. */
    public record Result(
            String shape,
            int threads,
            double matmulGflops,
            double gflopPerFrame,
            List<BatchPoint> batches,
            double textLatencyMillisP50,
            double textLatencyMillisP90) {}

    /** Generates a random model of {@code shape} in a temporary folder, measures it and deletes it. */
    public Result run(TinyModelShape shape, String shapeName, double gflopPerFrame, int[] batchSizes)
            throws IOException {
        Path dir = Files.createTempDirectory("clip4stream-bench-model");
        try {
            progress.accept("generating a random " + shapeName + " model");
            new TinyModelGenerator(7).generate(dir, shape, "bench-" + shapeName);
            try (Clip4ClipModel model = Clip4ClipModel.load(
                    dir,
                    ModelOptions.defaults()
                            .withDevice(ModelOptions.DeviceChoice.CPU)
                            .withIntraOpThreads(threads))) {
                double gflops = matmulGflops();
                progress.accept(String.format(
                        "matmul fp32 (best of %d^3 and the ViT's MLP products): %.1f GFLOP/s", MATMUL_SIZE, gflops));
                List<BatchPoint> points = new ArrayList<>();
                Random random = new Random(1);
                int size = model.info().imageSize();
                for (int batch : batchSizes) {
                    float[] pixels = new float[batch * 3 * size * size];
                    for (int i = 0; i < pixels.length; i++) {
                        pixels[i] = (float) random.nextGaussian();
                    }
                    model.embedFrames(pixels, batch); // warm-up: first calls allocate and pick kernels
                    long frames = 0;
                    long start = System.nanoTime();
                    while (System.nanoTime() - start < secondsPerPoint * 1e9 || frames < batch * 2L) {
                        model.embedFrames(pixels, batch);
                        frames += batch;
                    }
                    double fps = frames / ((System.nanoTime() - start) / 1e9);
                    points.add(new BatchPoint(batch, fps, fps * gflopPerFrame / gflops));
                    progress.accept(String.format("batch %d: %.2f frames/s", batch, fps));
                }
                double[] text = textLatencies(model);
                return new Result(shapeName, threads, gflops, gflopPerFrame, List.copyOf(points), text[0], text[1]);
            }
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder())
                        .forEach(p -> p.toFile().delete());
            }
        }
    }

    private double matmulGflops() {
        return matmulGflops(threads, secondsPerPoint);
    }

    /**
     * This CPU's fp32 matmul rate in GFLOP/s: the best of the {@link #MATMUL_SHAPES} products, each repeated for a
     * share of {@code seconds}, on {@code threads} libtorch threads; the ceiling any network made of matrix products
     * can reach here.
     */
    public static double matmulGflops(int threads, double secondsPerPoint) {
        double best = 0;
        try (NDManager manager = TorchRuntime.newManager(Device.cpu(), threads)) {
            for (int[] shape : MATMUL_SHAPES) {
                best = Math.max(best, productGflops(manager, shape, secondsPerPoint / MATMUL_SHAPES.size()));
            }
        }
        return best;
    }

    private static double productGflops(NDManager manager, int[] mkn, double seconds) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray a = scope.randomNormal(new Shape(mkn[0], mkn[1]));
            NDArray b = scope.randomNormal(new Shape(mkn[1], mkn[2]));
            a.matMul(b).close();
            int runs = 0;
            long start = System.nanoTime();
            while (System.nanoTime() - start < seconds * 1e9 || runs < 3) {
                a.matMul(b).close();
                runs++;
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            return 2.0 * mkn[0] * mkn[1] * mkn[2] * runs / elapsed / 1e9;
        }
    }

    private double[] textLatencies(Clip4ClipModel model) {
        int words = model.info().maxWords();
        int[] ids = new int[words];
        int[] mask = new int[words];
        ids[0] = TinyModelShape.CLIP_VOCAB_SIZE - 2;
        for (int i = 1; i < 9; i++) {
            ids[i] = 1000 + i;
        }
        ids[9] = TinyModelShape.CLIP_VOCAB_SIZE - 1;
        Arrays.fill(mask, 0, 10, 1);
        model.encodeText(ids, mask);
        List<Double> millis = new ArrayList<>();
        long start = System.nanoTime();
        while (System.nanoTime() - start < secondsPerPoint * 1e9 || millis.size() < 10) {
            long t = System.nanoTime();
            model.encodeText(ids, mask);
            millis.add((System.nanoTime() - t) / 1e6);
        }
        double[] sorted =
                millis.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return new double[] {sorted[sorted.length / 2], sorted[(int) Math.floor(sorted.length * 0.9)]};
    }
}
