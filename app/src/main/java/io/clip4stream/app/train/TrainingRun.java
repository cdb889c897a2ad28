package io.clip4stream.app.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.clip4stream.model.nn.TorchRuntime;
import io.clip4stream.model.spec.CheckpointLayout;
import io.clip4stream.model.spec.ModelConfig;
import io.clip4stream.model.spec.ModelSpec;
import io.clip4stream.model.spec.SimilarityHead;
import io.clip4stream.model.train.OptimizerSettings;
import io.clip4stream.model.train.TrainableModel;
import io.clip4stream.model.train.Trainer;
import io.clip4stream.model.train.TrainingBatch;
import io.clip4stream.model.weights.Checkpoint;
import io.clip4stream.model.weights.ModelDirectory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * A whole training run: epochs of shuffled batches, one {@link Trainer} step each, a checkpoint every few steps and at
 * every epoch end, an evaluation on the held-out set after each epoch, and the best epoch's model written to the output
 * directory (config.json records the head, a new model version, the data, the settings and the figures).
 *
 * <p>Deterministic from the seed: the batch order and caption choice of an epoch and the dropout of a step depend only
 * on the seed, the epoch and the step, so a run resumed from a checkpoint takes exactly the steps an uninterrupted run
 * takes.
 */
public final class TrainingRun {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final TrainingSettings settings;
    private final ModelDirectory init;
    private final TrainingSet train;
    private final Optional<TrainingSet> eval;
    private final String dataDescription;
    private final Path out;
    private final Device device;
    private final int threads;
    private final Consumer<String> progress;
    private final BooleanSupplier stopRequested;
    private final Optional<HardNegatives> hardNegatives;

    /** Creates a run with random batches; nothing happens until {@link #run}. */
    public TrainingRun(
            TrainingSettings settings,
            ModelDirectory init,
            TrainingSet train,
            Optional<TrainingSet> eval,
            String dataDescription,
            Path out,
            Device device,
            int threads,
            Consumer<String> progress,
            BooleanSupplier stopRequested) {
        this(
                settings,
                init,
                train,
                eval,
                dataDescription,
                out,
                device,
                threads,
                progress,
                stopRequested,
                Optional.empty());
    }

    /** Creates a run whose batches group near clips when {@code hardNegatives} is given; nothing happens until run. */
    public TrainingRun(
            TrainingSettings settings,
            ModelDirectory init,
            TrainingSet train,
            Optional<TrainingSet> eval,
            String dataDescription,
            Path out,
            Device device,
            int threads,
            Consumer<String> progress,
            BooleanSupplier stopRequested,
            Optional<HardNegatives> hardNegatives) {
        this.hardNegatives = Objects.requireNonNull(hardNegatives, "hardNegatives");
        hardNegatives.ifPresent(h -> {
            if (h.neighbours().length != train.size()) {
                throw new IllegalArgumentException("hard negatives list " + h.neighbours().length
                        + " clips but the training set has " + train.size());
            }
        });
        if (train.frameEmbeddings().isPresent() && !settings.cachedEmbeddings()) {
            throw new IllegalArgumentException("the training clips are frame embeddings without their frames: only the"
                    + " head can train on them (freeze CLIP)");
        }
        this.settings = Objects.requireNonNull(settings, "settings");
        this.init = Objects.requireNonNull(init, "init");
        this.train = Objects.requireNonNull(train, "train");
        this.eval = Objects.requireNonNull(eval, "eval");
        this.dataDescription = dataDescription;
        this.out = Objects.requireNonNull(out, "out");
        this.device = device;
        this.threads = threads;
        this.progress = progress;
        this.stopRequested = stopRequested;
    }

    /**
     * What a run ended with.
     *
     * @param modelDir the output model directory (the best epoch, or the last without an evaluation set)
     * @param completed whether every epoch ran (false: stopped, resumable from the checkpoint)
     * @param steps optimizer steps taken in all
     * @param history the per-epoch record also written to config.json
     */
    public record Outcome(Path modelDir, boolean completed, long steps, ObjectNode history) {}

    /** Trains, starting over or from the checkpoint in {@code resume}. */
    public Outcome run(Optional<Path> resume) throws IOException {
        Optional<Path> resumeDir = resume.map(dir -> TrainingCheckpoint.locate(dir)
                .orElseThrow(() -> new IllegalArgumentException("no training checkpoint in " + dir + " (expected " + dir
                        + "/" + TrainingCheckpoint.FOLDER + "/state.json)")));
        ModelDirectory source = resumeDir.map(ModelDirectory::open).orElse(init);
        int stepsPerEpoch = EpochPlan.steps(train.size(), settings.batchSize());
        if (stepsPerEpoch < 1) {
            throw new TrainingDataException("training needs at least 2 clips, got " + train.size());
        }
        long totalSteps = (long) stepsPerEpoch * settings.epochs();
        OptimizerSettings optimizerSettings =
                OptimizerSettings.paper(totalSteps).withRates(settings.lr(), settings.coefLr(), settings.warmup());
        ModelConfig initConfig = init.config();
        ModelConfig config = new ModelConfig(
                initConfig.modelId(),
                initConfig.modelVersion(),
                settings.head(),
                initConfig.linearPatch(),
                settings.maxFrames(),
                settings.maxWords(),
                initConfig.crossNumHiddenLayers(),
                initConfig.bpeVocab(),
                initConfig.preprocessing(),
                // A start that records no trained heads counts only this one as trained afterwards.
                Optional.of(trainedAfter(initConfig, settings.head())));
        Files.createDirectories(out);
        try (Checkpoint weights = source.openCheckpoint();
                NDManager manager = TorchRuntime.newManager(device, threads)) {
            ModelSpec spec =
                    CheckpointLayout.derive(weights.source(), weights.shapes(), weights.nonFloatingPoint(), config);
            try (TrainableModel model =
                            TrainableModel.bind(weights, spec, settings.head(), settings.freeze(), true, manager);
                    Trainer trainer = new Trainer(model, optimizerSettings, true)) {
                TrainingCheckpoint.Position position = new TrainingCheckpoint.Position(0, 0, 0, newHistory());
                if (resumeDir.isPresent()) {
                    position = TrainingCheckpoint.position(resumeDir.get());
                    trainer.optimizer()
                            .restore(
                                    position.optimizerStep(),
                                    TrainingCheckpoint.moments(resumeDir.get()),
                                    model.parameters());
                    progress.accept(String.format(
                            Locale.ROOT,
                            "resuming at epoch %d, batch %d (step %d of %d)",
                            position.epoch() + 1,
                            position.batchInEpoch(),
                            position.optimizerStep(),
                            totalSteps));
                }
                progress.accept(String.format(
                        Locale.ROOT,
                        "training %s: %d clips, %d steps per epoch, %d epochs, %d of %d parameters train",
                        settings.head().configName(),
                        train.size(),
                        stepsPerEpoch,
                        settings.epochs(),
                        model.trainable().size(),
                        model.parameters().size()));
                // A finished run resumed takes no step, so it needs no embeddings.
                Optional<CachedEmbeddings> cached = settings.cachedEmbeddings() && position.epoch() < settings.epochs()
                        ? Optional.of(CachedEmbeddings.loadOrCompute(
                                out.resolve("cache").resolve("embeddings-" + fingerprint(source) + ".safetensors"),
                                model,
                                train,
                                progress))
                        : Optional.empty();
                return loop(model, trainer, weights, config, position, stepsPerEpoch, totalSteps, cached);
            }
        }
    }

    private Outcome loop(
            TrainableModel model,
            Trainer trainer,
            Checkpoint weights,
            ModelConfig config,
            TrainingCheckpoint.Position start,
            int stepsPerEpoch,
            long totalSteps,
            Optional<CachedEmbeddings> cached) {
        ObjectNode history = start.history();
        long step = start.optimizerStep();
        int[] captionCounts =
                train.clips().stream().mapToInt(c -> c.captions().size()).toArray();
        long began = System.nanoTime();
        long stepsThisSession = 0;
        for (int epoch = start.epoch(); epoch < settings.epochs(); epoch++) {
            int epochNumber = epoch;
            EpochPlan plan = hardNegatives
                    .map(h -> EpochPlan.grouped(
                            settings.seed(),
                            epochNumber,
                            captionCounts,
                            settings.batchSize(),
                            h.neighbours(),
                            h.groupSize()))
                    .orElseGet(() -> EpochPlan.of(settings.seed(), epochNumber, captionCounts, settings.batchSize()));
            int first = epoch == start.epoch() ? start.batchInEpoch() : 0;
            double lossSum = 0;
            for (int b = first; b < plan.clipBatches().size(); b++) {
                if (stopRequested.getAsBoolean()) {
                    checkpoint(
                            model, trainer, weights, config, new TrainingCheckpoint.Position(epoch, b, step, history));
                    progress.accept("stopped: checkpoint at epoch " + (epoch + 1) + ", batch " + b
                            + "; continue with --resume " + out);
                    return new Outcome(out, false, step, history);
                }
                int[] clips = plan.clipBatches().get(b);
                int[] captions = plan.captionBatches().get(b);
                TrainingBatch batch =
                        cached.isPresent() ? cached.get().batch(clips, captions) : train.batch(clips, captions);
                // Dropout draws from libtorch's generator: seeding it per step makes a resumed run repeat them.
                Engine.getEngine(TorchRuntime.ENGINE).setRandomSeed((int) (settings.seed() * 7919 + step));
                Trainer.StepResult result = trainer.step(batch);
                if (result.skipped()) {
                    progress.accept(
                            "epoch " + (epoch + 1) + ", batch " + (b + 1) + ": gradients not finite (global norm "
                                    + result.gradientNorm() + "); this step left the model as it was");
                }
                step++;
                stepsThisSession++;
                lossSum += result.loss();
                double elapsed = (System.nanoTime() - began) / 1e9;
                double perStep = elapsed / stepsThisSession;
                progress.accept(String.format(
                        Locale.ROOT,
                        "epoch %d/%d  step %d/%d  loss %.4f  lr x%.3f  %.2f steps/s  ETA %s",
                        epoch + 1,
                        settings.epochs(),
                        b + 1,
                        plan.clipBatches().size(),
                        result.loss(),
                        result.scheduleFactor(),
                        1 / perStep,
                        duration((totalSteps - step) * perStep)));
                boolean periodic = settings.checkpointEvery() > 0
                        && step % settings.checkpointEvery() == 0
                        && b + 1 < plan.clipBatches().size();
                if (periodic) {
                    checkpoint(
                            model,
                            trainer,
                            weights,
                            config,
                            new TrainingCheckpoint.Position(epoch, b + 1, step, history));
                }
            }
            ObjectNode summary = ((ArrayNode) history.get("epochs")).addObject();
            summary.put("epoch", epoch + 1);
            summary.put("steps", step);
            summary.put("mean_loss", lossSum / Math.max(1, plan.clipBatches().size() - first));
            boolean best = true;
            if (eval.isPresent()) {
                RetrievalEvaluator.Result figures = new RetrievalEvaluator(eval.get()).evaluate(model, progress);
                summary.set("eval", EvaluationReport.toJson(figures));
                double r1 = figures.textToVideo().r1();
                best = !history.has("best_epoch")
                        || r1 > history.path("best_t2v_r1").asDouble();
                progress.accept(String.format(
                        Locale.ROOT,
                        "epoch %d: %s%s",
                        epoch + 1,
                        EvaluationReport.oneLine(figures),
                        best ? " (best so far)" : ""));
                if (best) {
                    history.put("best_t2v_r1", r1);
                }
            }
            if (best) {
                history.put("best_epoch", epoch + 1);
                writeModel(model, weights, config, history, out);
            }
            checkpoint(model, trainer, weights, config, new TrainingCheckpoint.Position(epoch + 1, 0, step, history));
        }
        history.put("finished", Instant.now().toString());
        recordHistory(history);
        return new Outcome(out, true, step, history);
    }

    private ObjectNode newHistory() {
        ObjectNode history = JSON.createObjectNode();
        history.put("started", Instant.now().toString());
        history.put("init", init.root().toAbsolutePath().toString());
        history.put("init_model_version", init.config().modelVersion());
        history.put("data", dataDescription);
        history.put("train_clips", train.size());
        history.put(
                "train_captions",
                train.clips().stream().mapToInt(c -> c.captions().size()).sum());
        eval.ifPresent(e -> history.put("eval_clips", e.size()));
        ObjectNode hyper = history.putObject("settings");
        hyper.put("head", settings.head().configName());
        hyper.put("epochs", settings.epochs());
        hyper.put("batch_size", settings.batchSize());
        hyper.put("lr", settings.lr());
        hyper.put("coef_lr", settings.coefLr());
        hyper.put("warmup", settings.warmup());
        hyper.put(
                "freeze_layer_num",
                settings.freeze().clipFrozen() ? null : settings.freeze().freezeLayerNum());
        hyper.put("freeze_clip", settings.freeze().clipFrozen());
        hyper.put("max_frames", settings.maxFrames());
        hyper.put("max_words", settings.maxWords());
        hyper.put("seed", settings.seed());
        hyper.put("optimizer", "BertAdam warmup_cosine b1 0.9 b2 0.98 e 1e-6 weight decay 0.2, clip 1.0");
        hardNegatives.ifPresent(h -> hyper.put("batches", h.source()));
        history.putArray("epochs");
        return history;
    }

    private void checkpoint(
            TrainableModel model,
            Trainer trainer,
            Checkpoint weights,
            ModelConfig config,
            TrainingCheckpoint.Position position) {
        TrainingCheckpoint.write(
                out,
                dir -> ModelDirectory.write(dir, config, model.tensors(weights, OptimizerSettings.LOGIT_SCALE_MAX)),
                trainer.optimizer().state(),
                position);
    }

    /** Writes the model directory into {@code out}, swapping in weights and config so readers see a whole one. */
    private void writeModel(
            TrainableModel model, Checkpoint weights, ModelConfig config, ObjectNode history, Path dir) {
        try {
            String version = init.config().modelVersion() + "+"
                    + settings.head().configName() + "-"
                    + history.path("started").asText().replaceAll("[^0-9]", "").substring(0, 14) + "-e"
                    + history.path("best_epoch").asInt();
            ModelConfig versioned = new ModelConfig(
                    config.modelId(),
                    version,
                    config.simHeader(),
                    config.linearPatch(),
                    config.maxFrames(),
                    config.maxWords(),
                    config.crossNumHiddenLayers(),
                    config.bpeVocab(),
                    config.preprocessing(),
                    config.trainedHeads());
            Path staging = dir.resolve("model.partial");
            TrainingCheckpoint.deleteTree(staging);
            ModelDirectory.write(staging, versioned, model.tensors(weights, OptimizerSettings.LOGIT_SCALE_MAX));
            ObjectNode json = (ObjectNode)
                    JSON.readTree(staging.resolve(ModelDirectory.CONFIG_FILE).toFile());
            json.set("training", history.deepCopy());
            Files.writeString(
                    staging.resolve(ModelDirectory.CONFIG_FILE),
                    JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json) + "\n",
                    StandardCharsets.UTF_8);
            if (config.bpeVocab().isPresent()) {
                Path vocab = init.root().resolve(config.bpeVocab().get());
                Files.copy(vocab, dir.resolve(config.bpeVocab().get()), StandardCopyOption.REPLACE_EXISTING);
            }
            // Weights first, then config.json: config.json appears last, so a directory with a config is whole.
            Files.move(
                    staging.resolve(ModelDirectory.WEIGHTS_FILE),
                    dir.resolve(ModelDirectory.WEIGHTS_FILE),
                    StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
            Files.move(
                    staging.resolve(ModelDirectory.CONFIG_FILE),
                    dir.resolve(ModelDirectory.CONFIG_FILE),
                    StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
            TrainingCheckpoint.deleteTree(staging);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the trained model into " + dir, e);
        }
    }

    /** Rewrites the output config.json's {@code training} record with the whole run (the weights stay the best's). */
    private void recordHistory(ObjectNode history) {
        Path file = out.resolve(ModelDirectory.CONFIG_FILE);
        try {
            ObjectNode json = (ObjectNode) JSON.readTree(file.toFile());
            json.set("training", history.deepCopy());
            Path partial = out.resolve(ModelDirectory.CONFIG_FILE + ".partial");
            Files.writeString(
                    partial,
                    JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json) + "\n",
                    StandardCharsets.UTF_8);
            Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record the training history in " + file, e);
        }
    }

    private String fingerprint(ModelDirectory source) throws IOException {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (Path file : source.weightFiles()) {
                digest.update((file.toAbsolutePath() + "|" + Files.size(file) + "|"
                                + Files.getLastModifiedTime(file).toMillis())
                        .getBytes(StandardCharsets.UTF_8));
            }
            digest.update((settings.maxFrames() + "|" + settings.maxWords()).getBytes(StandardCharsets.UTF_8));
            // Given frame embeddings are part of the data: other embeddings of the same clips need another cache.
            train.frameEmbeddings()
                    .ifPresent(f -> digest.update(Integer.toString(java.util.Arrays.hashCode(f.values()))
                            .getBytes(StandardCharsets.UTF_8)));
            for (CaptionedClip clip : train.clips()) {
                digest.update(
                        (clip.id() + "|" + String.join("\n", clip.captions()) + "|").getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(digest.digest(), 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** The heads trained once this run is done: those the start model had trained, and the head trained now. */
    private static Set<SimilarityHead> trainedAfter(ModelConfig init, SimilarityHead trained) {
        Set<SimilarityHead> heads = EnumSet.of(trained);
        heads.addAll(init.trainedHeads().orElse(Set.of()));
        return heads;
    }

    private static String duration(double seconds) {
        long s = Math.max(0, Math.round(seconds));
        return s >= 3600
                ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s % 3600 / 60)
                : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
}
