package io.clip4stream.app.train;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.clip4stream.model.nn.TorchRuntime;
import io.clip4stream.model.spec.CheckpointLayout;
import io.clip4stream.model.spec.ModelConfig;
import io.clip4stream.model.spec.ModelSpec;
import io.clip4stream.model.spec.Preprocessing;
import io.clip4stream.model.spec.SimilarityHead;
import io.clip4stream.model.tokenize.ClipTokenizer;
import io.clip4stream.model.train.FreezeRule;
import io.clip4stream.model.train.TrainableModel;
import io.clip4stream.model.weights.Checkpoint;
import io.clip4stream.model.weights.ModelDirectory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;

/** Evaluates a model directory on captioned clips: what {@code clip4stream model eval} runs. */
public final class ModelEvaluation {

    private ModelEvaluation() {}

    /** Decodes {@code data} (split {@code split} of MSR-VTT, or a manifest) and evaluates {@code head} on it. */
    public static RetrievalEvaluator.Result run(
            ModelDirectory directory,
            SimilarityHead head,
            Path data,
            String split,
            double fps,
            Path frameCache,
            int threads,
            Consumer<String> progress)
            throws IOException {
        ModelConfig config = directory.config();
        ModelConfig withHead = config.withSimHeader(head);
        ClipTokenizer tokenizer = directory.bpeVocab().isPresent()
                ? ClipTokenizer.withVocabularyFile(directory.bpeVocab().get())
                : ClipTokenizer.withBundledVocabulary();
        try (Checkpoint checkpoint = directory.openCheckpoint();
                NDManager manager = TorchRuntime.newManager(Device.cpu(), threads)) {
            ModelSpec spec = CheckpointLayout.derive(
                    checkpoint.source(), checkpoint.shapes(), checkpoint.nonFloatingPoint(), withHead);
            // Frames are prepared as the model was trained (config.json's preprocessing), as the services do.
            ClipFrameReader reader = new ClipFrameReader(
                    config.preprocessing()
                            .orElse(Preprocessing.clip(spec.vision().imageSize())),
                    config.maxFrames(),
                    fps,
                    frameCache);
            TrainingSet set = TrainingSet.prepare(
                    "eval",
                    TrainingData.read(data, split),
                    reader,
                    tokenizer,
                    config.maxFrames(),
                    config.maxWords(),
                    progress);
            try (TrainableModel model = TrainableModel.bind(checkpoint, spec, head, FreezeRule.clip(), true, manager)) {
                return new RetrievalEvaluator(set).evaluate(model, progress);
            }
        }
    }
}
