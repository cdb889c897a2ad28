package io.clip4stream.app.demo;

import ai.djl.Device;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.clip4stream.app.train.CaptionedClip;
import io.clip4stream.app.train.ClipFrameReader;
import io.clip4stream.app.train.HardNegatives;
import io.clip4stream.app.train.PipelineEvaluator;
import io.clip4stream.app.train.TrainingCheckpoint;
import io.clip4stream.app.train.TrainingRun;
import io.clip4stream.app.train.TrainingSet;
import io.clip4stream.app.train.TrainingSettings;
import io.clip4stream.model.Clip4ClipModel;
import io.clip4stream.model.ModelOptions;
import io.clip4stream.model.metrics.RetrievalMetrics;
import io.clip4stream.model.spec.LinearPatch;
import io.clip4stream.model.spec.ModelConfig;
import io.clip4stream.model.spec.SimilarityHead;
import io.clip4stream.model.tokenize.ClipTokenizer;
import io.clip4stream.model.train.FreezeRule;
import io.clip4stream.model.weights.Checkpoint;
import io.clip4stream.model.weights.ModelDirectory;
import io.clip4stream.model.weights.TensorData;
import io.clip4stream.model.weights.TinyModelGenerator;
import io.clip4stream.model.weights.TinyModelShape;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Trains the default model from scratch on the demo world with the project's own trainer: the whole model (a small ViT
 * and text transformer) with the seqTransf head, then the tightTransf re-ranker on the frozen result, then writes a
 * compact (float16) model directory whose config.json records the seed, the settings and the figures.
 */
public final class DemoTraining {

    /** The model id of the default model. */
    public static final String MODEL_ID = "clip4stream-demo-world";

    /** What a demo model knows, as {@code model info} reports it. */
    public static final String KNOWS = "synthetic-world";

    /** The first-stage candidates the tight head re-ranks in evaluations, as the query service's default. */
    public static final int RERANK_DEPTH = 20;

    /** Near clips listed per training clip for the tight stage's hard-negative groups (more than a group needs). */
    private static final int HARD_NEIGHBOURS = 64;

    /**
     * First-stage weights tried for the re-rank fusion: 0 is the tight head alone; the largest makes the first stage
     * decide all but its ties, since tight logits differ by a few units and cosines of near candidates by hundredths.
     */
    static final double[] FUSION_WEIGHTS = {0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000};

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /**
     * How to train.
     *
     * @param seed the demo world's seed (scenes, noise, initial weights, batch order)
     * @param trainClips training scenes
     * @param evalClips held-out scenes (unseen colour–shape pairs)
     * @param epochs epochs of full training with the seqTransf head
     * @param tightEpochs epochs of tight-head training on the frozen model
     * @param batchSize pairs per step of the full training
     * @param lr learning rate of the full training (CLIP too: coef_lr 1, it starts from nothing)
     * @param tightBatchSize pairs per step of the tight head's training (cheap on cached embeddings; more pairs give it
     *     more of the near misses it must tell apart when it re-ranks)
     * @param tightLr learning rate of the tight head
     * @param tightGroup clips per hard-negative group in the tight head's batches (near each other under the first
     *     stage, as the candidates it re-ranks are); 0 for random batches
     * @param threads libtorch threads
     */
    public record Settings(
            long seed,
            int trainClips,
            int evalClips,
            int epochs,
            int tightEpochs,
            int batchSize,
            double lr,
            int tightBatchSize,
            double tightLr,
            int tightGroup,
            int threads) {}

    /** The shape of the demo model: widths 128, 4 blocks per tower, 16-pixel patches on 64-pixel frames, T 12. */
    public static TinyModelShape shape() {
        return new TinyModelShape(
                128,
                4,
                16,
                64,
                128,
                4,
                TinyModelShape.CLIP_VOCAB_SIZE,
                128,
                2,
                12,
                32,
                SimilarityHead.SEQ_TRANSF,
                LinearPatch.TWO_D);
    }

    /** Trains and writes the model directory {@code out}; {@code work} keeps videos, caches and checkpoints. */
    public static ObjectNode run(Settings settings, Path out, Path work, Consumer<String> progress) throws IOException {
        DemoWorld world = new DemoWorld(settings.seed());
        List<CaptionedClip> trainClips = DemoDataset.write(
                world, DemoWorld.Split.TRAIN, settings.trainClips(), work.resolve("videos"), progress);
        List<CaptionedClip> evalClips = DemoDataset.write(
                world, DemoWorld.Split.HELD_OUT, settings.evalClips(), work.resolve("videos"), progress);
        TinyModelShape shape = shape();
        ClipTokenizer tokenizer = ClipTokenizer.withBundledVocabulary();
        ClipFrameReader reader = new ClipFrameReader(
                shape.imageSize(), shape.maxFrames(), ClipFrameReader.DEFAULT_FPS, work.resolve("frames"));
        TrainingSet train = TrainingSet.prepare(
                "train", trainClips, reader, tokenizer, shape.maxFrames(), shape.maxWords(), progress);
        TrainingSet eval = TrainingSet.prepare(
                "eval", evalClips, reader, tokenizer, shape.maxFrames(), shape.maxWords(), progress);

        Path init = work.resolve("init");
        if (!Files.isRegularFile(init.resolve(ModelDirectory.CONFIG_FILE))) {
            Map<String, TensorData> tensors = new TinyModelGenerator(settings.seed()).tensors(shape);
            // CLIP's own initial temperature, 1/0.07, instead of the cap: a model that starts from nothing.
            tensors.put("clip.logit_scale", TensorData.f32(new long[] {}, (float) Math.log(1 / 0.07)));
            ModelConfig config = new ModelConfig(
                    MODEL_ID,
                    "demo-seed-" + settings.seed(),
                    SimilarityHead.SEQ_TRANSF,
                    LinearPatch.TWO_D,
                    shape.maxFrames(),
                    shape.maxWords(),
                    shape.crossLayers(),
                    Optional.empty());
            ModelDirectory.write(init, config, tensors);
        }
        Path stage1 = work.resolve("stage1-seqTransf");
        TrainingSettings full = new TrainingSettings(
                SimilarityHead.SEQ_TRANSF,
                settings.epochs(),
                settings.batchSize(),
                settings.lr(),
                1.0,
                0.1,
                FreezeRule.layers(-1),
                shape.maxFrames(),
                shape.maxWords(),
                settings.seed(),
                0);
        TrainingRun.Outcome first = new TrainingRun(
                        full,
                        ModelDirectory.open(init),
                        train,
                        Optional.of(eval),
                        "demo world seed " + settings.seed(),
                        stage1,
                        Device.cpu(),
                        settings.threads(),
                        progress,
                        () -> false)
                .run(resumable(stage1));
        // Hard-negative batches make another stage: a work directory resumed with other batches does not reuse it.
        Path stage2 = work.resolve(
                settings.tightGroup() > 0 ? "stage2-tightTransf-hard" + settings.tightGroup() : "stage2-tightTransf");
        Optional<HardNegatives> hard = Optional.empty();
        // A finished stage resumed takes no step: its groups would go unused.
        boolean stage2Finished = TrainingCheckpoint.locate(stage2)
                .map(dir -> TrainingCheckpoint.position(dir).epoch() >= settings.tightEpochs())
                .orElse(false);
        if (settings.tightGroup() > 0 && !stage2Finished) {
            try (Clip4ClipModel firstStage = Clip4ClipModel.load(
                    first.modelDir(),
                    ModelOptions.defaults()
                            .withDevice(ModelOptions.DeviceChoice.CPU)
                            .withIntraOpThreads(settings.threads()))) {
                hard = Optional.of(
                        HardNegatives.firstStage(firstStage, train, HARD_NEIGHBOURS, settings.tightGroup(), progress));
            }
        }
        TrainingSettings tight = new TrainingSettings(
                SimilarityHead.TIGHT_TRANSF,
                settings.tightEpochs(),
                settings.tightBatchSize(),
                settings.tightLr(),
                1.0,
                0.1,
                FreezeRule.clip(),
                shape.maxFrames(),
                shape.maxWords(),
                settings.seed(),
                0);
        TrainingRun.Outcome second = new TrainingRun(
                        tight,
                        tightStart(first.modelDir(), work.resolve("stage2-init"), shape, settings.seed()),
                        train,
                        Optional.of(eval),
                        "demo world seed " + settings.seed(),
                        stage2,
                        Device.cpu(),
                        settings.threads(),
                        progress,
                        () -> false,
                        hard)
                .run(resumable(stage2));

        writeCompact(second.modelDir(), out, settings, first.history(), second.history());
        ObjectNode rerank = chooseFusion(out, eval, settings, progress);
        ObjectNode config = (ObjectNode)
                JSON.readTree(out.resolve(ModelDirectory.CONFIG_FILE).toFile());
        config.set("rerank", rerank);
        Files.writeString(
                out.resolve(ModelDirectory.CONFIG_FILE),
                JSON.writerWithDefaultPrettyPrinter().writeValueAsString(config) + "\n",
                StandardCharsets.UTF_8);
        ObjectNode figures = evaluate(out, eval, settings.threads(), progress);
        ((ObjectNode) config.get("training")).set("figures", figures);
        Files.writeString(
                out.resolve(ModelDirectory.CONFIG_FILE),
                JSON.writerWithDefaultPrettyPrinter().writeValueAsString(config) + "\n",
                StandardCharsets.UTF_8);
        return figures;
    }

    /**
     * The tight stage's start: the first stage's model with the cross head initialised as CLIP4Clip's
     * {@code from_pretrained} does it, from the trained text tower (positions and the first blocks), not at random.
     */
    private static ModelDirectory tightStart(Path firstStage, Path dir, TinyModelShape shape, long seed)
            throws IOException {
        if (Files.isRegularFile(dir.resolve(ModelDirectory.CONFIG_FILE))) {
            return ModelDirectory.open(dir);
        }
        ModelDirectory source = ModelDirectory.open(firstStage);
        Map<String, TensorData> all = new LinkedHashMap<>();
        Map<String, TensorData> clipOnly = new LinkedHashMap<>();
        try (Checkpoint checkpoint = source.openCheckpoint()) {
            for (String name : checkpoint.shapes().keySet()) {
                TensorData tensor = TensorData.f32(checkpoint.info(name).shape(), checkpoint.floats(name));
                all.put(name, tensor);
                if (name.startsWith("clip.")) {
                    clipOnly.put(name, tensor);
                }
            }
        }
        byte[] clipBytes = new io.clip4stream.model.weights.SafetensorsWriter().toBytes(clipOnly, Map.of());
        try (Checkpoint clip = Checkpoint.of(List.of(io.clip4stream.model.weights.SafetensorsFile.read(
                new java.io.ByteArrayInputStream(clipBytes), "the first stage's CLIP")))) {
            all.putAll(io.clip4stream.model.train.HeadInitializer.initialize(
                    clip, SimilarityHead.TIGHT_TRANSF, shape.crossLayers(), seed));
        }
        return ModelDirectory.write(dir, source.config(), all);
    }

    /**
     * Chooses how re-ranking combines the tight logit with the first stage's cosine ({@code tight + w × cosine}): the
     * weight of {@link #FUSION_WEIGHTS} with the best re-ranked R@1 on the validation split (the training world's
     * held-out scenes, never {@code model eval}'s default seed), ties to the better R@5, then the smaller weight.
     * Returns config.json's {@code rerank} record with the sweep.
     */
    private static ObjectNode chooseFusion(
            Path modelDir, TrainingSet validation, Settings settings, Consumer<String> progress) {
        java.util.Map<Double, RetrievalMetrics> sweep;
        try (Clip4ClipModel model = Clip4ClipModel.load(
                modelDir,
                ModelOptions.defaults()
                        .withDevice(ModelOptions.DeviceChoice.CPU)
                        .withIntraOpThreads(settings.threads()))) {
            sweep = new PipelineEvaluator(validation, RERANK_DEPTH).sweep(model, FUSION_WEIGHTS, progress);
        }
        double best = FUSION_WEIGHTS[0];
        for (double w : FUSION_WEIGHTS) {
            RetrievalMetrics m = sweep.get(w);
            RetrievalMetrics b = sweep.get(best);
            if (m.r1() > b.r1() || (m.r1() == b.r1() && m.r5() > b.r5())) {
                best = w;
            }
        }
        ObjectNode rerank = JSON.createObjectNode();
        rerank.put("first_stage_weight", best);
        rerank.put(
                "chosen_on",
                "re-ranked R@1 (then R@5) of the top " + RERANK_DEPTH + " on the validation split: " + validation.size()
                        + " held-out scenes of demo world seed " + settings.seed());
        var table = rerank.putArray("sweep");
        sweep.forEach((w, m) -> {
            ObjectNode row = table.addObject();
            row.put("first_stage_weight", w);
            row.put("r1", m.r1() / 100);
            row.put("r5", m.r5() / 100);
            row.put("mdr", m.medianRank());
        });
        progress.accept("re-rank fusion: first-stage weight " + best + " (validation R@1 "
                + sweep.get(best).r1() / 100 + "; tight alone " + sweep.get(0.0).r1() / 100 + ")");
        return rerank;
    }

    private static Optional<Path> resumable(Path stage) {
        return Files.isRegularFile(stage.resolve("checkpoint").resolve("state.json"))
                ? Optional.of(stage)
                : Optional.empty();
    }

    /** Evaluates a model directory on {@code eval} as the services would: first stage and re-ranked. */
    public static ObjectNode evaluate(Path modelDir, TrainingSet eval, int threads, Consumer<String> progress) {
        try (Clip4ClipModel model = Clip4ClipModel.load(
                modelDir,
                ModelOptions.defaults()
                        .withDevice(ModelOptions.DeviceChoice.CPU)
                        .withIntraOpThreads(threads))) {
            PipelineEvaluator.Result result = new PipelineEvaluator(eval, RERANK_DEPTH).evaluate(model, progress);
            ObjectNode node = JSON.createObjectNode();
            node.put("clips", result.clips());
            node.set("first_stage", fractions(result.firstStage()));
            if (result.reranked().isPresent()) {
                node.set("reranked", fractions(result.reranked().get()));
            } else {
                node.putNull("reranked");
            }
            return node;
        }
    }

    private static ObjectNode fractions(RetrievalMetrics m) {
        ObjectNode node = JSON.createObjectNode();
        node.put("r1", m.r1() / 100);
        node.put("r5", m.r5() / 100);
        node.put("r10", m.r10() / 100);
        node.put("mdr", m.medianRank());
        return node;
    }

    /** Writes the trained weights as float16 (the committed default model stays small) with a seqTransf config. */
    private static void writeCompact(Path trained, Path out, Settings settings, ObjectNode stage1, ObjectNode stage2)
            throws IOException {
        ModelDirectory source = ModelDirectory.open(trained);
        Map<String, TensorData> tensors = new LinkedHashMap<>();
        try (Checkpoint checkpoint = source.openCheckpoint()) {
            for (String name : checkpoint.shapes().keySet()) {
                long[] shape = checkpoint.info(name).shape();
                float[] values = checkpoint.floats(name);
                // The logit scale is one number that sets the temperature: keep it exact.
                tensors.put(
                        name,
                        name.equals("clip.logit_scale")
                                ? TensorData.f32(shape, values)
                                : TensorData.f16(shape, values));
            }
        }
        ModelConfig config = new ModelConfig(
                MODEL_ID,
                // The trained version: the start's ("demo-seed-S") and what each stage added to it.
                source.config().modelVersion(),
                SimilarityHead.SEQ_TRANSF,
                LinearPatch.TWO_D,
                source.config().maxFrames(),
                source.config().maxWords(),
                source.config().crossNumHiddenLayers(),
                Optional.empty());
        ModelDirectory.write(out, config, tensors);
        ObjectNode json = (ObjectNode)
                JSON.readTree(out.resolve(ModelDirectory.CONFIG_FILE).toFile());
        json.put("knows", KNOWS);
        json.putArray("trained_heads").add("seqTransf").add("tightTransf");
        var examples = json.putArray("example_queries");
        SampleScenes.exampleQueries().forEach(q -> examples.add(q.text()));
        ObjectNode training = json.putObject("training");
        training.put(
                "command",
                "bin/clip4stream model train-demo --out DIR --seed " + settings.seed() + " --train-clips "
                        + settings.trainClips() + " --eval-clips " + settings.evalClips() + " --epochs "
                        + settings.epochs()
                        + " --tight-epochs " + settings.tightEpochs() + " --batch-size " + settings.batchSize()
                        + " --lr "
                        + settings.lr() + " --tight-batch-size " + settings.tightBatchSize() + " --tight-lr "
                        + settings.tightLr() + " --tight-group " + settings.tightGroup());
        training.put("seed", settings.seed());
        training.set("stage1_seqTransf", stage1);
        training.set("stage2_tightTransf", stage2);
        Files.writeString(
                out.resolve(ModelDirectory.CONFIG_FILE),
                JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json) + "\n",
                StandardCharsets.UTF_8);
    }
}
