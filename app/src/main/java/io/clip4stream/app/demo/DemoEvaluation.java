package io.clip4stream.app.demo;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.clip4stream.app.train.CaptionedClip;
import io.clip4stream.app.train.ClipFrameReader;
import io.clip4stream.app.train.TrainingSet;
import io.clip4stream.model.Clip4ClipModel;
import io.clip4stream.model.ModelOptions;
import io.clip4stream.model.tokenize.ClipTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/** {@code model eval --demo-world}: a model on a freshly written held-out split of the demo world. */
public final class DemoEvaluation {

    private DemoEvaluation() {}

    /** Writes {@code clips} held-out scenes of the world {@code seed} under {@code work}, then evaluates the model. */
    public static ObjectNode run(Path modelDir, long seed, int clips, Path work, int threads, Consumer<String> progress)
            throws IOException {
        Files.createDirectories(work);
        List<CaptionedClip> held = DemoDataset.write(
                new DemoWorld(seed), DemoWorld.Split.HELD_OUT, clips, work.resolve("videos-" + seed), progress);
        int imageSize;
        int maxFrames;
        int maxWords;
        try (Clip4ClipModel model = Clip4ClipModel.load(
                modelDir,
                ModelOptions.defaults()
                        .withDevice(ModelOptions.DeviceChoice.CPU)
                        .withIntraOpThreads(1))) {
            imageSize = model.info().imageSize();
            maxFrames = model.info().maxFrames();
            maxWords = model.info().maxWords();
        }
        ClipFrameReader reader =
                new ClipFrameReader(imageSize, maxFrames, ClipFrameReader.DEFAULT_FPS, work.resolve("frames"));
        TrainingSet set = TrainingSet.prepare(
                "demo world", held, reader, ClipTokenizer.withBundledVocabulary(), maxFrames, maxWords, progress);
        ObjectNode figures = DemoTraining.evaluate(modelDir, set, threads, progress);
        ObjectNode out = figures.objectNode();
        out.put("clips", figures.path("clips").asInt());
        out.put("seed", seed);
        out.set("first_stage", figures.get("first_stage"));
        out.set("reranked", figures.get("reranked"));
        return out;
    }
}
