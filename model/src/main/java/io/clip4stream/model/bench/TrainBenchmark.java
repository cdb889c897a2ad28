package io.clip4stream.model.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.clip4stream.model.nn.TorchRuntime;
import io.clip4stream.model.spec.CheckpointLayout;
import io.clip4stream.model.spec.LinearPatch;
import io.clip4stream.model.spec.ModelSpec;
import io.clip4stream.model.spec.SimilarityHead;
import io.clip4stream.model.train.FreezeRule;
import io.clip4stream.model.train.OptimizerSettings;
import io.clip4stream.model.train.TrainableModel;
import io.clip4stream.model.train.Trainer;
import io.clip4stream.model.train.TrainingBatch;
import io.clip4stream.model.weights.Checkpoint;
import io.clip4stream.model.weights.ModelDirectory;
import io.clip4stream.model.weights.TinyModelGenerator;
import io.clip4stream.model.weights.TinyModelShape;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Measures CLIP4Clip seqTransf training on random weights: full fine-tuning steps/s ({@code freeze_layer_num = 0}, the
 * encoders run on pixels), head-only steps/s on cached embeddings (CLIP frozen), both next to this machine's fp32
 * matmul rate measured in the same run, and the peak memory of full fine-tuning.
 *
 * <p>Every step is {@link Trainer#step}: the loss, backward, global gradient clipping, the BertAdam update, zeroing the
 * gradients and the logit-scale clamp. One untimed step precedes each timed series, since the first step allocates the
 * optimizer's moments and picks kernels. The batch is generated once and reused, so its generation is never timed.
 */
public final class TrainBenchmark {

    /** Steps of the memory run: the second is the first whose backward runs with the optimizer's moments allocated. */
    public static final int MEMORY_STEPS = 2;

    /** The optimizer's {@code t_total}; its schedule changes the step size, never the work of a step. */
    private static final long SCHEDULE_STEPS = 1000;

    private static final double GIB = 1024.0 * 1024 * 1024;

    private final Settings settings;
    private final Consumer<String> progress;

    /**
     * What to measure.
     *
     * @param threads libtorch intra-op threads
     * @param batch caption–clip pairs per full fine-tuning step
     * @param frames frames per clip (also the head-only runs' T)
     * @param steps timed full fine-tuning steps
     * @param headBatch caption–clip pairs per head-only step
     * @param headSteps timed head-only steps
     * @param memoryBatch pairs per step of the memory run; 0 skips it
     * @param matmulSeconds seconds spent measuring the matmul rate
     */
    public record Settings(
            int threads,
            int batch,
            int frames,
            int steps,
            int headBatch,
            int headSteps,
            int memoryBatch,
            double matmulSeconds) {

        /** Validates the settings. */
        public Settings {
            if (threads < 1 || batch < 1 || frames < 1 || steps < 1 || headBatch < 1 || headSteps < 1) {
                throw new IllegalArgumentException("threads, batch sizes, frames and steps must be >= 1, got threads "
                        + threads + ", batch " + batch + ", frames " + frames + ", steps " + steps + ", head batch "
                        + headBatch + ", head steps " + headSteps);
            }
            if (memoryBatch < 0 || !(matmulSeconds > 0)) {
                throw new IllegalArgumentException("memory batch must be >= 0 (0 skips the memory run) and matmul"
                        + " seconds > 0, got " + memoryBatch + " and " + matmulSeconds);
            }
        }
    }

    /**
     * One timed series of training steps.
     *
     * @param batch caption–clip pairs per step
     * @param frames frames per clip
     * @param steps timed steps
     * @param trainableParameters elements of the parameters that train
     * @param seconds wall time of the timed steps
     * @param gflopPerStep {@link TrainingFlops} of one step, in GFLOP
     * @param firstLoss the loss of the first timed step
     * @param lastLoss the loss of the last timed step
     */
    public record Series(
            int batch,
            int frames,
            int steps,
            long trainableParameters,
            double seconds,
            double gflopPerStep,
            double firstLoss,
            double lastLoss) {

        /** Returns optimizer steps per second. */
        public double stepsPerSecond() {
            return steps / seconds;
        }

        /** Returns caption–clip pairs trained per second. */
        public double clipsPerSecond() {
            return stepsPerSecond() * batch;
        }

        /** Returns the achieved rate of counted FLOPs, in GFLOP/s. */
        public double gflops() {
            return stepsPerSecond() * gflopPerStep;
        }
    }

    /**
     * The memory of a full fine-tuning run.
     *
     * @param batch caption–clip pairs per step
     * @param frames frames per clip
     * @param steps steps taken
     * @param rssBeforeGib resident set size before the model was bound
     * @param rssPeakGib peak resident set size of the process during the run (the JVM heap's resident pages, libtorch's
     *     native allocations and the checkpoint pages read), NaN without {@code /proc}
     * @param rssPeakSource where the peak comes from: {@code VmHWM} (reset just before the run) or {@code sampled VmRSS}
     *     (every 20 ms, when the high-water mark cannot be reset)
     * @param heapUsedPeakGib the largest JVM heap use sampled during the run
     * @param heapCommittedGib the JVM heap committed at the end of the run
     */
    public record Memory(
            int batch,
            int frames,
            int steps,
            double rssBeforeGib,
            double rssPeakGib,
            String rssPeakSource,
            double heapUsedPeakGib,
            double heapCommittedGib) {}

    /**
     * Everything the benchmark measured.
     *
     * @param shape the shape's name
     * @param threads libtorch intra-op threads
     * @param matmulGflops this machine's fp32 matmul rate in the same run
     * @param full full fine-tuning
     * @param head head-only training on cached embeddings
     * @param memory the memory run, when not skipped
     */
    public record Result(
            String shape, int threads, double matmulGflops, Series full, Series head, Optional<Memory> memory) {

        /** Returns the counted FLOP rate of {@code series} over the matmul rate of the same run. */
        public double fractionOfMatmulRate(Series series) {
            return series.gflops() / matmulGflops;
        }
    }

    /** A benchmark with {@code settings} that reports its progress, line by line, to {@code progress}. */
    public TrainBenchmark(Settings settings, Consumer<String> progress) {
        this.settings = settings;
        this.progress = progress;
    }

    /**
     * The ViT-B/32 CLIP4Clip shape with the seqTransf head: vision width 768, 12 layers, 32-pixel patches at 224 px; text
     * width 512, 12 layers, L = 32; D = 512; {@code transformerClip} 4 layers; {@code frames} frames per clip.
     */
    public static TinyModelShape vitB32SeqTransf(int frames) {
        return EncoderBenchmark.vitB32().withHead(SimilarityHead.SEQ_TRANSF).withMaxFrames(frames);
    }

    /**
     * Generates a random seqTransf model of {@code shape} (with the settings' frames) in a temporary folder, measures it
     * and deletes it.
     */
    public Result run(TinyModelShape shape, String shapeName) throws IOException {
        TinyModelShape framed = shape.withHead(SimilarityHead.SEQ_TRANSF).withMaxFrames(settings.frames());
        if (framed.linearPatch() != LinearPatch.TWO_D) {
            throw new IllegalArgumentException("the training benchmark measures the 2D patch embedding");
        }
        Path dir = Files.createTempDirectory("clip4stream-bench-train");
        try {
            progress.accept("generating a random " + shapeName + " seqTransf model");
            ModelDirectory directory = new TinyModelGenerator(7).generate(dir, framed, "bench-train-" + shapeName);
            try (Checkpoint checkpoint = directory.openCheckpoint();
                    NDManager manager = TorchRuntime.newManager(Device.cpu(), settings.threads())) {
                ModelSpec spec = CheckpointLayout.derive(
                        checkpoint.source(), checkpoint.shapes(), checkpoint.nonFloatingPoint(), directory.config());
                // First, in a process that has trained nothing yet, so the peak is this run's and not an earlier one's.
                Optional<Memory> memory = settings.memoryBatch() > 0
                        ? Optional.of(memory(checkpoint, spec, framed, manager))
                        : Optional.empty();
                Series full = full(checkpoint, spec, framed, manager);
                double gflops = EncoderBenchmark.matmulGflops(settings.threads(), settings.matmulSeconds());
                progress.accept(String.format(
                        "matmul %dx%d fp32: %.1f GFLOP/s",
                        EncoderBenchmark.MATMUL_SIZE, EncoderBenchmark.MATMUL_SIZE, gflops));
                Series head = head(checkpoint, spec, framed, manager);
                return new Result(shapeName, settings.threads(), gflops, full, head, memory);
            }
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private Series full(Checkpoint checkpoint, ModelSpec spec, TinyModelShape shape, NDManager manager) {
        TrainingBatch batch = pixelBatch(shape, settings.batch(), settings.frames(), new SplittableRandom(11));
        try (TrainableModel model = TrainableModel.bind(
                        checkpoint, spec, SimilarityHead.SEQ_TRANSF, FreezeRule.layers(0), true, manager);
                Trainer trainer = new Trainer(model, OptimizerSettings.paper(SCHEDULE_STEPS), true)) {
            progress.accept(String.format(
                    "full fine-tuning: batch %d x %d frames, %d trainable parameters",
                    settings.batch(), settings.frames(), trainableElements(model)));
            return timed(
                    "full fine-tuning",
                    trainer,
                    batch,
                    settings.steps(),
                    TrainingFlops.fullStep(shape, settings.batch(), settings.frames()));
        }
    }

    private Series head(Checkpoint checkpoint, ModelSpec spec, TinyModelShape shape, NDManager manager) {
        TrainingBatch batch = embeddingBatch(shape, settings.headBatch(), settings.frames(), new SplittableRandom(13));
        try (TrainableModel model = TrainableModel.bind(
                        checkpoint, spec, SimilarityHead.SEQ_TRANSF, FreezeRule.clip(), false, manager);
                Trainer trainer = new Trainer(model, OptimizerSettings.paper(SCHEDULE_STEPS), true)) {
            progress.accept(String.format(
                    "head-only (seqTransf, %d layers, width %d) on cached embeddings: batch %d x %d frames, %d"
                            + " trainable parameters",
                    shape.crossLayers(),
                    shape.embedDim(),
                    settings.headBatch(),
                    settings.frames(),
                    trainableElements(model)));
            return timed(
                    "head-only",
                    trainer,
                    batch,
                    settings.headSteps(),
                    TrainingFlops.headStep(shape, settings.headBatch(), settings.frames()));
        }
    }

    private Series timed(String name, Trainer trainer, TrainingBatch batch, int steps, double flopPerStep) {
        trainer.step(batch); // untimed: allocates the optimizer's moments
        double first = Double.NaN;
        double last = Double.NaN;
        long start = System.nanoTime();
        for (int i = 0; i < steps; i++) {
            last = trainer.step(batch).loss();
            if (i == 0) {
                first = last;
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        progress.accept(String.format(
                "%s: %d steps in %.1f s, %.3f steps/s, loss %.4f -> %.4f",
                name, steps, seconds, steps / seconds, first, last));
        return new Series(
                batch.size(),
                batch.frames(),
                steps,
                trainableElements(trainer.model()),
                seconds,
                flopPerStep / 1e9,
                first,
                last);
    }

    private Memory memory(Checkpoint checkpoint, ModelSpec spec, TinyModelShape shape, NDManager manager) {
        int size = settings.memoryBatch();
        TrainingBatch batch = pixelBatch(shape, size, settings.frames(), new SplittableRandom(17));
        // The generator's garbage would otherwise sit in the heap's resident pages and count as this run's.
        System.gc();
        double before = ProcessMemory.rssBytes() / GIB;
        boolean reset = ProcessMemory.resetPeak();
        try (ProcessMemory.Sampler sampler = ProcessMemory.Sampler.start();
                TrainableModel model = TrainableModel.bind(
                        checkpoint, spec, SimilarityHead.SEQ_TRANSF, FreezeRule.layers(0), true, manager);
                Trainer trainer = new Trainer(model, OptimizerSettings.paper(SCHEDULE_STEPS), true)) {
            progress.accept(String.format(
                    "memory: full fine-tuning, batch %d x %d frames, %d steps", size, settings.frames(), MEMORY_STEPS));
            for (int i = 0; i < MEMORY_STEPS; i++) {
                trainer.step(batch);
            }
            double peak = reset ? ProcessMemory.peakRssBytes() / GIB : sampler.maxRssBytes() / GIB;
            Memory memory = new Memory(
                    size,
                    settings.frames(),
                    MEMORY_STEPS,
                    before,
                    peak,
                    reset ? "VmHWM" : "sampled VmRSS",
                    sampler.maxHeapUsedBytes() / GIB,
                    ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted() / GIB);
            progress.accept(String.format(
                    "memory: RSS %.2f GiB before, peak %.2f GiB (%s); heap used peak %.2f GiB",
                    memory.rssBeforeGib(), memory.rssPeakGib(), memory.rssPeakSource(), memory.heapUsedPeakGib()));
            return memory;
        }
    }

    private static long trainableElements(TrainableModel model) {
        long count = 0;
        for (String name : model.trainable()) {
            NDArray parameter = model.parameters().get(name);
            count += parameter.size();
        }
        return count;
    }

    /**
     * Returns a batch of random normalised pixels and random captions: SOT ({@code vocab - 2}), ids below it, then EOT
     * ({@code vocab - 1}, 49407 for CLIP's vocabulary, the largest id and so the position the text encoder reads),
     * zero-padded to L.
     */
    static TrainingBatch.Pixels pixelBatch(TinyModelShape shape, int size, int frames, SplittableRandom random) {
        int side = shape.imageSize();
        float[] pixels = new float[size * frames * 3 * side * side];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (float) gaussian(random);
        }
        int words = shape.maxWords();
        int eot = shape.vocabSize() - 1;
        long[][] ids = new long[size][words];
        for (long[] caption : ids) {
            int length = 2 + random.nextInt(words - 1); // SOT, 0 to L-2 words, EOT
            caption[0] = eot - 1;
            for (int i = 1; i < length - 1; i++) {
                caption[i] = random.nextInt(eot - 1);
            }
            caption[length - 1] = eot;
        }
        float[] valid = new float[size * frames];
        Arrays.fill(valid, 1f);
        return new TrainingBatch.Pixels(pixels, frames, side, valid, ids);
    }

    /** Returns a batch of random frame and caption embeddings, every frame valid. */
    static TrainingBatch.Embeddings embeddingBatch(
            TinyModelShape shape, int size, int frames, SplittableRandom random) {
        int dim = shape.embedDim();
        float[] frameEmbeddings = new float[size * frames * dim];
        for (int i = 0; i < frameEmbeddings.length; i++) {
            frameEmbeddings[i] = (float) gaussian(random);
        }
        float[] texts = new float[size * dim];
        for (int i = 0; i < texts.length; i++) {
            texts[i] = (float) gaussian(random);
        }
        float[] valid = new float[size * frames];
        Arrays.fill(valid, 1f);
        return new TrainingBatch.Embeddings(frameEmbeddings, frames, valid, texts, dim);
    }

    private static double gaussian(SplittableRandom random) {
        double u1 = 1.0 - random.nextDouble();
        double u2 = random.nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
    }
}
